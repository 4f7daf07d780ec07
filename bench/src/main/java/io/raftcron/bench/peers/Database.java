package io.raftcron.bench.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The PostgreSQL database the peers share (started by scripts/bench.sh on loopback). */
record Database(String url, String user, String password) {

  HikariDataSource pool(int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    return new HikariDataSource(config);
  }

  /** Runs a SQL script from the class path (statements separated by ';' at line ends). */
  void runScript(String resource) {
    String sql;
    try (InputStream in = Database.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + resource);
      }
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (HikariDataSource ds = pool(1); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String statement : sql.split(";\\s*\\n")) {
        String stripped = statement.lines().filter(l -> !l.trim().startsWith("--")).reduce("", (a, b) -> a + "\n" + b).trim();
        if (!stripped.isEmpty()) {
          s.execute(stripped);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot run " + resource + ": " + e.getMessage(), e);
    }
  }
}
