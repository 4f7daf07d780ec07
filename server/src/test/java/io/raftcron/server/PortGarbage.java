package io.raftcron.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes what an attacker or a broken client might to a TCP port: random bytes of random length,
 * and frames of the port's protocol cut short or with lying lengths. Each target is one line:
 * a name, an address and the protocol's truncated frames.
 */
final class PortGarbage {
  /** A port to spray, with frames of its protocol that stop part-way. */
  record Target(String name, InetSocketAddress address, List<byte[]> truncatedFrames) {}

  private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private PortGarbage() {}

  static Target bolt(String name, String hostPort) {
    // Bolt v1 request header (proto 1, type request, cmd 1, ver 1, id, hessian codec, timeout),
    // then class/header/content lengths that promise far more than follows.
    byte[] header = ByteBuffer.allocate(22)
        .put((byte) 1).put((byte) 1).putShort((short) 1).put((byte) 1).putInt(7).put((byte) 1).putInt(1000)
        .putShort((short) 40).putShort((short) 0).putInt(Integer.MAX_VALUE).array();
    byte[] v2 = ByteBuffer.allocate(12).put((byte) 2).put((byte) 1).put((byte) 1).putShort((short) 2)
        .put((byte) 1).putInt(9).put((byte) 11).put((byte) 0).array();
    return new Target(name, address(hostPort), List.of(header, cut(header, 9), v2, new byte[] {1}));
  }

  static Target grpc(String name, String hostPort) {
    // HTTP/2: the preface, then a SETTINGS frame header promising 1000 bytes; a HEADERS frame for
    // stream 1 cut off; a DATA frame on a stream never opened with a 16 MB length.
    byte[] settings = concat(HTTP2_PREFACE, new byte[] {0, 3, (byte) 0xe8, 4, 0, 0, 0, 0, 0, 1, 2});
    byte[] headers = concat(HTTP2_PREFACE, new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0},
        new byte[] {0, 0, 40, 1, 4, 0, 0, 0, 1, (byte) 0x83, (byte) 0x86});
    byte[] data = concat(HTTP2_PREFACE, new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0},
        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 1, 0, 0, 0, 3, 1, 2, 3});
    return new Target(name, address(hostPort), List.of(settings, headers, data, cut(HTTP2_PREFACE, 10)));
  }

  static Target http(String name, String hostPort) {
    // HTTP/1.1: a request line cut off, a POST promising a body far larger than follows, and a
    // chunked body whose chunk size is not hex.
    byte[] line = "POST /api/v1/JobService/CreateJob HT".getBytes(StandardCharsets.US_ASCII);
    byte[] body = ("POST /api/v1/JobService/CreateJob HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 100000\r\n\r\n{\"spec\": {\"name\": \"gar").getBytes(StandardCharsets.US_ASCII);
    byte[] chunked = ("POST /api/v1/JobService/DeleteJob HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "zz\r\n{}\r\n").getBytes(StandardCharsets.US_ASCII);
    return new Target(name, address(hostPort), List.of(line, body, chunked));
  }

  /**
   * {@code rounds} connections per target: a truncated frame or random bytes (up to 64 KiB), then
   * a close — sometimes after the random bytes follow a good-looking frame start.
   */
  static void spray(List<Target> targets, Random random, int rounds) {
    for (Target target : targets) {
      for (int i = 0; i < rounds; i++) {
        List<byte[]> parts = new ArrayList<>();
        int kind = random.nextInt(3);
        if (kind != 1) {
          parts.add(target.truncatedFrames().get(random.nextInt(target.truncatedFrames().size())));
        }
        if (kind != 0) {
          byte[] noise = new byte[random.nextInt(64 * 1024)];
          random.nextBytes(noise);
          parts.add(noise);
        }
        send(target.address(), parts);
      }
    }
  }

  private static void send(InetSocketAddress address, List<byte[]> parts) {
    try (Socket socket = new Socket()) {
      socket.connect(address, 2000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      for (byte[] part : parts) {
        out.write(part);
      }
      out.flush();
    } catch (IOException closedByPeer) {
      // The server may reset the connection part-way: that is a fine answer to garbage.
    }
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static byte[] cut(byte[] bytes, int length) {
    return java.util.Arrays.copyOf(bytes, length);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuffer all = ByteBuffer.allocate(length);
    for (byte[] part : parts) {
      all.put(part);
    }
    return all.array();
  }
}
