package io.raftcron.server.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The label set of per-job metrics: {@code job_name} (Prometheus keeps {@code job} for the scrape
 * job). With per-job labels off (very many jobs), the {@code job_name}
 * label is left out and the series aggregate over every job, so cardinality stays bounded.
 */
record JobLabels(boolean perJob) {
  static final String JOB = "job_name";

  String[] names(String... others) {
    List<String> names = new ArrayList<>();
    if (perJob) {
      names.add(JOB);
    }
    names.addAll(List.of(others));
    return names.toArray(String[]::new);
  }

  String[] values(String job, String... others) {
    List<String> values = new ArrayList<>();
    if (perJob) {
      values.add(job);
    }
    values.addAll(List.of(others));
    return values.toArray(String[]::new);
  }
}
