package io.raftcron.chaos;

import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import java.util.List;
import java.util.Map;

/**
 * What one node's own replica held at one moment (stale reads: the node's applied state, not the
 * leader's): its jobs and each job's runs.
 *
 * @param appliedIndex the node's applied index just before the reads
 * @param countsStable true when the job's fired counts and the runs were read with no fire in
 *     between (so that fired_count can be compared with the number of runs)
 */
record NodeView(String node, long appliedIndex, Map<String, Job> jobs, Map<String, List<Run>> runs,
    boolean countsStable) {}
