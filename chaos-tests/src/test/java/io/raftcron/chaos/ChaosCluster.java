package io.raftcron.chaos;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * A raftcron cluster in containers: N scheduler nodes and M workers on a private Docker network
 * with static addresses (so that a node restarted after a kill keeps its Raft address), each node's
 * data in a host folder that survives kill and restart. Everything it creates is removed by
 * {@link #close()} (Ryuk is off here), also by a shutdown hook should the test JVM be stopped.
 */
final class ChaosCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChaosCluster.class);
  static final String LABEL = "io.raftcron.chaos.pid";
  static final int RAFT_PORT = 7001;
  static final int GRPC_PORT = 8001;
  private static final String JVM = "java -Xmx200m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData";

  /**
   * @param fakeTime run the nodes under libfaketime, with a per-node offset file the clock-jump
   *     nemesis rewrites (wall clock only; the monotonic clock is left alone)
   * @param sabotage empty, or the safeguards to weaken on every node (see {@link Sabotage})
   */
  record Settings(int nodes, int workers, int electionTimeoutMs, int leaseSeconds, int workerConcurrency,
      boolean fakeTime, String sabotage) {
    static Settings defaults() {
      return new Settings(3, 2, 1000, 5, 4, false, "");
    }

    Settings withFakeTime() {
      return new Settings(nodes, workers, electionTimeoutMs, leaseSeconds, workerConcurrency, true, sabotage);
    }

    Settings withNodes(int count) {
      return new Settings(count, workers, electionTimeoutMs, leaseSeconds, workerConcurrency, fakeTime, sabotage);
    }

    Settings withSabotage(String weakened) {
      return new Settings(nodes, workers, electionTimeoutMs, leaseSeconds, workerConcurrency, fakeTime, weakened);
    }
  }

  /** Nodes snapshot (and drop their log before the snapshot) this often, so followers install snapshots. */
  static final int SNAPSHOT_SECONDS = 5;

  static final String LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

  /** A scheduler node or a worker: its container, its fixed address, its gRPC channel. */
  static final class Box {
    final String id;
    final String ip;
    final GenericContainer<?> container;
    final ManagedChannel channel;

    Box(String id, String ip, GenericContainer<?> container) {
      this.id = id;
      this.ip = ip;
      this.container = container;
      this.channel = NettyChannelBuilder.forAddress(ip, GRPC_PORT).usePlaintext().build();
    }

    /** The channel, told to reconnect at once if it gave up on a node that was down. */
    ManagedChannel channel() {
      if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        channel.resetConnectBackoff();
      }
      return channel;
    }

    String grpcAddr() {
      return ip + ":" + GRPC_PORT;
    }

    @Override
    public String toString() {
      return id + "(" + ip + ")";
    }
  }

  private final Path dir;
  private final Settings settings;
  private final DockerClient docker;
  private final Map<String, Box> nodes = new LinkedHashMap<>();
  private final Map<String, Box> workers = new LinkedHashMap<>();
  private final Path cliDir;
  private final Thread shutdownHook;
  private Network network;
  private String subnetPrefix;
  private boolean closed;

  ChaosCluster(Path dir, Settings settings, long seed) throws IOException, InterruptedException {
    this.dir = dir;
    this.settings = settings;
    this.cliDir = Path.of(System.getProperty("raftcron.cli.dir", "../cli/target")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(cliDir.resolve("raftcron.jar")) || !Files.isDirectory(cliDir.resolve("lib"))) {
      throw new IllegalStateException(cliDir + "/raftcron.jar and lib/ are missing: package the cli module first");
    }
    try {
      this.docker = DockerClientFactory.instance().client();
    } catch (RuntimeException e) {
      throw new IllegalStateException("no Docker engine: run scripts/install-deps.sh (it starts dockerd)", e);
    }
    removeLeftovers();
    BaseImage.ensure(docker);
    this.shutdownHook = new Thread(this::close, "chaos-cluster-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    createNetwork(new Random(seed));
  }

  Settings settings() {
    return settings;
  }

  List<Box> nodes() {
    return List.copyOf(nodes.values());
  }

  Box node(String id) {
    Box box = nodes.get(id);
    if (box == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return box;
  }

  List<Box> workers() {
    return List.copyOf(workers.values());
  }

  Box worker(String id) {
    return workers.get(id);
  }

  Path dir() {
    return dir;
  }

  Path witnessDir() {
    return dir.resolve("witness");
  }

  String peers() {
    return nodes.values().stream().map(b -> b.ip + ":" + RAFT_PORT).collect(Collectors.joining(","));
  }

  String grpcEndpoints() {
    return nodes.values().stream().map(Box::grpcAddr).collect(Collectors.joining(","));
  }

  /** Creates and starts every node container; each starts its server at once. */
  void startNodes() throws IOException {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= settings.nodes(); i++) {
      ids.add("n" + i);
    }
    // Addresses first: every node's --peers names all of them.
    Map<String, String> ips = new LinkedHashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      ips.put(ids.get(i), subnetPrefix + (11 + i));
    }
    String peers = ips.values().stream().map(ip -> ip + ":" + RAFT_PORT).collect(Collectors.joining(","));
    Path sabotageJar = settings.sabotage().isEmpty() ? null : Sabotage.jar(dir);
    for (String id : ids) {
      String ip = ips.get(id);
      Path data = dir.resolve("nodes").resolve(id);
      Files.createDirectories(data);
      String launch = settings.sabotage().isEmpty() ? "-jar /app/raftcron.jar"
          : "-cp /app/raftcron.jar:/app/sabotage.jar io.raftcron.cli.Main";
      String command = "exec " + JVM + " " + launch + " server --node-id " + id
          + " --data-dir /data/db --raft-addr " + ip + ":" + RAFT_PORT + " --grpc-addr " + ip + ":" + GRPC_PORT
          + " --peers " + peers + " --election-timeout-ms " + settings.electionTimeoutMs()
          + " --lease-seconds " + settings.leaseSeconds() + " --snapshot-interval-seconds " + SNAPSHOT_SECONDS
          + " >> /data/node.log 2>&1";
      GenericContainer<?> container = container(id, ip, command)
          .withFileSystemBind(data.toString(), "/data", BindMode.READ_WRITE);
      if (!settings.sabotage().isEmpty()) {
        container.withFileSystemBind(sabotageJar.toString(), "/app/sabotage.jar", BindMode.READ_ONLY)
            .withEnv(Sabotage.VARIABLE, settings.sabotage());
      }
      if (settings.fakeTime()) {
        if (!Files.exists(Path.of(LIBFAKETIME))) {
          throw new IllegalStateException(LIBFAKETIME + " is missing: run scripts/install-deps.sh (package faketime)");
        }
        Files.writeString(data.resolve("faketime"), "+0\n");
        container.withEnv("LD_PRELOAD", LIBFAKETIME)
            .withEnv("FAKETIME_TIMESTAMP_FILE", "/data/faketime")
            .withEnv("FAKETIME_CACHE_DURATION", "1")
            .withEnv("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            // glibc's monotonic fix makes every JVM timed wait late by up to seconds here.
            .withEnv("FAKETIME_FORCE_MONOTONIC_FIX", "0");
      }
      nodes.put(id, new Box(id, ip, container));
    }
    for (Box box : nodes.values()) {
      box.container.start();
      log.info("node {} started in container {}", box, box.container.getContainerId().substring(0, 12));
    }
  }

  /** Creates and starts the worker containers (after a leader exists, so that they find one). */
  void startWorkers() throws IOException {
    Files.createDirectories(witnessDir());
    Path logs = dir.resolve("workers");
    Files.createDirectories(logs);
    for (int i = 1; i <= settings.workers(); i++) {
      String id = "w" + i;
      String ip = subnetPrefix + (20 + i);
      String command = "exec " + JVM.replace("-Xmx200m", "-Xmx128m") + " -jar /app/raftcron.jar worker --cluster "
          + grpcEndpoints() + " --worker-id " + id + " --concurrency " + settings.workerConcurrency()
          + " >> /logs/" + id + ".log 2>&1";
      GenericContainer<?> container = container(id, ip, command)
          .withEnv("CHAOS_WORKER", id)
          .withFileSystemBind(witnessDir().toString(), "/witness", BindMode.READ_WRITE)
          .withFileSystemBind(logs.toString(), "/logs", BindMode.READ_WRITE);
      Box box = new Box(id, ip, container);
      workers.put(id, box);
      container.start();
      log.info("worker {} started", box);
    }
  }

  private GenericContainer<?> container(String id, String ip, String command) {
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(BaseImage.NAME));
    return container
        .withNetwork(network)
        .withLabel(LABEL, String.valueOf(ProcessHandle.current().pid()))
        .withCreateContainerCmdModifier(cmd -> {
          cmd.withIpv4Address(ip);
          cmd.withHostName(id);
          cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN);
        })
        .withFileSystemBind("/usr", "/usr", BindMode.READ_ONLY)
        .withFileSystemBind("/etc/alternatives", "/etc/alternatives", BindMode.READ_ONLY)
        .withFileSystemBind("/etc/java-17-openjdk", "/etc/java-17-openjdk", BindMode.READ_ONLY)
        .withFileSystemBind(cliDir.resolve("raftcron.jar").toString(), "/app/raftcron.jar", BindMode.READ_ONLY)
        .withFileSystemBind(cliDir.resolve("lib").toString(), "/app/lib", BindMode.READ_ONLY)
        .withStartupTimeout(Duration.ofSeconds(60))
        .withCommand("sh", "-c", command);
  }

  // --- faults ------------------------------------------------------------------------------------

  /** SIGKILL to the whole container: the JVM gets no chance to flush or step down. */
  void kill(Box box) {
    docker.killContainerCmd(box.container.getContainerId()).withSignal("KILL").exec();
    try {
      await(box + " stopped").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50)).until(() -> !running(box));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(box + " still running 30 s after SIGKILL", e);
    }
  }

  /** Starts a killed container again: same address, same data folder. */
  void restart(Box box) {
    if (!running(box)) {
      docker.startContainerCmd(box.container.getContainerId()).exec();
    }
  }

  /**
   * cgroup freezer: every process of the container stops without knowing. Under heavy load the
   * freezer can fail ("unable to freeze"); it is tried a few times, and false means the fault
   * could not be injected (the container is left running).
   */
  boolean freeze(Box box) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 4; attempt++) {
      try {
        docker.pauseContainerCmd(box.container.getContainerId()).exec();
        return true;
      } catch (RuntimeException e) {
        last = e;
        log.warn("pausing {} failed ({}); retrying", box, e.getMessage());
        try {
          thaw(box);
        } catch (RuntimeException ignored) {
          // not paused
        }
        pause(500);
      }
    }
    log.warn("could not pause {}: {}", box, last == null ? "" : last.getMessage());
    return false;
  }

  void thaw(Box box) {
    InspectContainerResponse.ContainerState state = state(box);
    if (Boolean.TRUE.equals(state.getPaused())) {
      docker.unpauseContainerCmd(box.container.getContainerId()).exec();
    }
  }

  boolean running(Box box) {
    return Boolean.TRUE.equals(state(box).getRunning());
  }

  private InspectContainerResponse.ContainerState state(Box box) {
    return docker.inspectContainerCmd(box.container.getContainerId()).exec().getState();
  }

  /**
   * Cuts every pair of nodes in different components. Clients and workers (other addresses) still
   * reach every node.
   */
  void partition(List<List<Box>> components) throws IOException, InterruptedException {
    cut(cutsBetween(components));
  }

  /** Each box cut off from every box of the other components. */
  static Map<Box, List<Box>> cutsBetween(List<List<Box>> components) {
    Map<Box, List<Box>> cuts = new LinkedHashMap<>();
    for (List<Box> component : components) {
      for (Box box : component) {
        cuts.put(box, components.stream().filter(c -> c != component).flatMap(List::stream).toList());
      }
    }
    return cuts;
  }

  /**
   * Cuts each box off from the boxes listed for it (any topology: a bridge, a ring): nftables drop
   * rules for their addresses in the input and output hooks inside the box.
   */
  void cut(Map<Box, List<Box>> unreachable) throws IOException, InterruptedException {
    for (Map.Entry<Box, List<Box>> entry : unreachable.entrySet()) {
      if (entry.getValue().isEmpty()) {
        continue;
      }
      StringBuilder script = new StringBuilder("nft add table inet chaos"
          + " && nft add chain inet chaos out '{ type filter hook output priority 0 ; }'"
          + " && nft add chain inet chaos in '{ type filter hook input priority 0 ; }'");
      for (Box other : entry.getValue()) {
        script.append(" && nft add rule inet chaos out ip daddr ").append(other.ip).append(" drop");
        script.append(" && nft add rule inet chaos in ip saddr ").append(other.ip).append(" drop");
      }
      exec(entry.getKey(), script.toString());
    }
  }

  /** Deletes the drop rules in every running box (a killed one lost them with its namespace). */
  void healPartitions() throws IOException, InterruptedException {
    List<Box> boxes = new ArrayList<>(nodes.values());
    boxes.addAll(workers.values());
    for (Box box : boxes) {
      if (running(box) && !Boolean.TRUE.equals(state(box).getPaused())) {
        exec(box, "nft list table inet chaos >/dev/null 2>&1 && nft delete table inet chaos; true");
      }
    }
  }

  private void exec(Box box, String script) throws IOException, InterruptedException {
    ExecResult result = box.container.execInContainer("sh", "-c", script);
    if (result.getExitCode() != 0) {
      throw new IllegalStateException("on " + box + ": `" + script + "` exited " + result.getExitCode() + ": "
          + result.getStderr() + result.getStdout());
    }
  }

  /** How often the node's log says it installed a leader's snapshot (see StateMachineBridge). */
  int snapshotInstalls(Box node) throws IOException {
    Path log = dir.resolve("nodes").resolve(node.id).resolve("node.log");
    if (!Files.exists(log)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
      return (int) lines.filter(l -> l.contains("installed the snapshot at index")).count();
    }
  }

  /** Sets a node's wall-clock offset (libfaketime syntax, e.g. "+30s", "-1h", "+0"); read within 1 s. */
  void setClockOffset(Box node, String offset) throws IOException {
    if (!settings.fakeTime()) {
      throw new IllegalStateException("the cluster runs without libfaketime");
    }
    Path file = dir.resolve("nodes").resolve(node.id).resolve("faketime");
    Path tmp = file.resolveSibling("faketime.tmp");
    Files.writeString(tmp, offset + "\n");
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  // --- lifecycle ---------------------------------------------------------------------------------

  private void createNetwork(Random random) {
    int start = random.nextInt(200);
    RuntimeException last = null;
    for (int i = 0; i < 40; i++) {
      int third = (start + i * 7) % 250 + 1;
      String subnet = "172.29." + third + ".0/24";
      Network candidate = Network.builder()
          .createNetworkCmdModifier(cmd -> cmd
              .withIpam(new com.github.dockerjava.api.model.Network.Ipam()
                  .withConfig(new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(subnet)))
              .withLabels(Map.of(LABEL, String.valueOf(ProcessHandle.current().pid()))))
          .build();
      try {
        candidate.getId();
        network = candidate;
        subnetPrefix = "172.29." + third + ".";
        log.info("network {} on {}", candidate.getId().substring(0, 12), subnet);
        return;
      } catch (RuntimeException e) {
        last = e;
        log.info("subnet {} not available ({}); trying another", subnet, e.getMessage());
      }
    }
    throw new IllegalStateException("no free subnet for the chaos network", last);
  }

  /** Containers and networks left by a chaos JVM that no longer runs (Ryuk is off here). */
  private void removeLeftovers() {
    for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(LABEL)).exec()) {
      if (ownerGone(c.getLabels().get(LABEL))) {
        log.warn("removing leftover chaos container {}", c.getId().substring(0, 12));
        try {
          docker.removeContainerCmd(c.getId()).withForce(true).exec();
        } catch (RuntimeException e) {
          log.warn("could not remove {}: {}", c.getId(), e.getMessage());
        }
      }
    }
    for (var n : docker.listNetworksCmd().exec()) {
      String owner = n.getLabels() == null ? null : n.getLabels().get(LABEL);
      if (owner != null && ownerGone(owner)) {
        log.warn("removing leftover chaos network {}", n.getId().substring(0, 12));
        try {
          docker.removeNetworkCmd(n.getId()).exec();
        } catch (RuntimeException e) {
          log.warn("could not remove network {}: {}", n.getId(), e.getMessage());
        }
      }
    }
  }

  private static boolean ownerGone(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).isEmpty();
    } catch (NumberFormatException e) {
      return true;
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Box> all = new ArrayList<>(workers.values());
    all.addAll(nodes.values());
    for (Box box : all) {
      box.channel.shutdownNow();
      try {
        if (box.container.getContainerId() != null) {
          thaw(box);
        }
      } catch (RuntimeException e) {
        // already gone
      }
      try {
        box.container.stop();
      } catch (RuntimeException e) {
        log.warn("could not stop {}: {}", box, e.getMessage());
      }
    }
    if (network != null) {
      try {
        network.close();
      } catch (RuntimeException e) {
        log.warn("could not remove the chaos network: {}", e.getMessage());
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // closing from the hook itself
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
