package io.raftcron.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA, a node certificate for 127.0.0.1/localhost and a client certificate, made with
 * the openssl command line (EC P-256 keys in PKCS#8 PEM, as Netty reads them).
 */
public record TestCertificates(Path ca, Path nodeCert, Path nodeKey, Path clientCert, Path clientKey, Path otherCa) {
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    selfSigned(dir, "ca");
    selfSigned(dir, "other-ca");
    signed(dir, "node", "ca");
    signed(dir, "client", "ca");
    return new TestCertificates(dir.resolve("ca.pem"), dir.resolve("node.pem"), dir.resolve("node.key"),
        dir.resolve("client.pem"), dir.resolve("client.key"), dir.resolve("other-ca.pem"));
  }

  private static void selfSigned(Path dir, String name) throws IOException, InterruptedException {
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=raftcron-test-" + name);
  }

  private static void signed(Path dir, String name, String ca) throws IOException, InterruptedException {
    openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=raftcron-test-" + name);
    openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
        "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", "san.ext");
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
