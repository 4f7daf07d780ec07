package io.raftcron.server.leader;

import java.util.Optional;

/** How this node's leader detects and reports alerts: thresholds, webhook, and its own node id. */
public record AlertSetup(AlertRules rules, Optional<AlertWebhook> webhook, String nodeId) {}
