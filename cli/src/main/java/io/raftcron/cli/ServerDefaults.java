package io.raftcron.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Where {@code server} options come from when they are not on the command line: a {@code RAFTCRON_*} environment
 * variable (the option's name in upper case, dashes as underscores: {@code --data-dir} is
 * {@code RAFTCRON_DATA_DIR}), else the YAML config file ({@code --config FILE}, or {@code RAFTCRON_CONFIG}) whose keys
 * are the option names without dashes ({@code data-dir: /var/lib/raftcron}), else the option's own default. So the
 * precedence is flag > environment > file > default. A key the server does not know is an error. Picocli asks for
 * defaults after it has matched the command line, so {@code --config} is known by then.
 */
final class ServerDefaults implements IDefaultValueProvider {
  static final String CONFIG_OPTION = "--config";
  private static final String ENV_PREFIX = "RAFTCRON_";

  private final Map<String, String> env;
  private Path loadedFrom;
  private Map<String, Object> file;

  ServerDefaults() {
    this(System.getenv());
  }

  ServerDefaults(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.longestName().equals(CONFIG_OPTION) || option.usageHelp()) {
      return null;
    }
    String key = option.longestName().replaceFirst("^--", "");
    String fromEnv = env.get(envName(key));
    if (fromEnv != null) {
      return fromEnv;
    }
    Object fromFile = config(arg.command()).get(key);
    if (fromFile instanceof List<?> list) {
      return list.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    return fromFile == null ? null : String.valueOf(fromFile);
  }

  static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The config file's keys and values, read once; empty when no file is given. */
  private Map<String, Object> config(CommandSpec command) {
    Path path = configPath(command);
    if (path == null) {
      return Map.of();
    }
    if (!path.equals(loadedFrom)) {
      file = load(command, path);
      loadedFrom = path;
    }
    return file;
  }

  private Path configPath(CommandSpec command) {
    OptionSpec config = command.findOption(CONFIG_OPTION);
    Object value = config == null ? null : config.getValue();
    if (value != null) {
      return (Path) value;
    }
    String fromEnv = env.get(envName("config"));
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
  }

  private static Map<String, Object> load(CommandSpec command, Path path) {
    Object parsed;
    try (Reader reader = Files.newBufferedReader(path)) {
      parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (IOException e) {
      throw new ParameterException(command.commandLine(), "cannot read config file " + path + ": " + e);
    } catch (YAMLException e) {
      throw new ParameterException(command.commandLine(), "config file " + path + " is not valid YAML: "
          + e.getMessage());
    }
    if (parsed == null) {
      return Map.of();
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new ParameterException(command.commandLine(), "config file " + path
          + " must be a mapping of option names to values (e.g. node-id: n1)");
    }
    Set<String> known = command.options().stream()
        .filter(o -> !o.usageHelp() && !o.versionHelp() && !o.longestName().equals(CONFIG_OPTION))
        .map(o -> o.longestName().replaceFirst("^--", ""))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> unknown = map.keySet().stream().map(String::valueOf).filter(k -> !known.contains(k))
        .collect(Collectors.toCollection(TreeSet::new));
    if (!unknown.isEmpty()) {
      throw new ParameterException(command.commandLine(), "config file " + path + ": unknown key(s) " + unknown
          + "; known keys: " + String.join(", ", known));
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (e.getValue() instanceof Map) {
        throw new ParameterException(command.commandLine(), "config file " + path + ": " + e.getKey()
            + " must be a value or a list, not a mapping");
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> values = (Map<String, Object>) map;
    return values;
  }
}
