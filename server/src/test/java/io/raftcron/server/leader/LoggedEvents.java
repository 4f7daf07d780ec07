package io.raftcron.server.leader;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What a logger logs while a test listens (logback's list appender on it, removed on close). */
final class LoggedEvents implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LoggedEvents(Class<?> source) {
    logger = (Logger) LoggerFactory.getLogger(source);
    appender.start();
    logger.addAppender(appender);
  }

  /** The levels of the events so far, in order. */
  List<Level> levels() {
    synchronized (appender) { // the appender appends under its own lock, on the logging thread
      return appender.list.stream().map(ILoggingEvent::getLevel).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
