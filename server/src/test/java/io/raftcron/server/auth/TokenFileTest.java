package io.raftcron.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenFileTest {
  @Test
  void aListedTokenAuthenticatesAsItsNameAndRoleAndNothingElseDoes() {
    TokenFile file = TokenFile.parse(List.of(
        "# comment", "",
        TokenFile.line("s3cret", "alice", Role.OPERATOR, null),
        TokenFile.line("w-token", "w1", Role.WORKER, "w1")), "tokens");
    assertThat(file.authenticate("s3cret")).contains(new Principal("alice", Role.OPERATOR, ""));
    assertThat(file.authenticate("w-token")).contains(new Principal("w1", Role.WORKER, "w1"));
    assertThat(file.authenticate("s3cret ")).isEmpty();
    assertThat(file.authenticate("")).isEmpty();
  }

  @Test
  void theFileHoldsOnlyTheHashOfTheToken() {
    String line = TokenFile.line("s3cret", "alice", Role.VIEWER, null);
    assertThat(line).doesNotContain("s3cret")
        // echo -n s3cret | sha256sum
        .isEqualTo("sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0 alice viewer");
  }

  @Test
  void malformedLinesAreRefusedWithTheirLineNumber() {
    String good = TokenFile.line("a", "alice", Role.ADMIN, null);
    assertThatThrownBy(() -> TokenFile.parse(List.of(good, "sha256:abc bob viewer"), "tokens"))
        .hasMessageContaining("tokens line 2").hasMessageContaining("64 lower-case hex digits");
    assertThatThrownBy(() -> TokenFile.parse(List.of(good.replace("admin", "root")), "tokens"))
        .hasMessageContaining("role 'root' is not one of admin, operator, viewer, worker");
    assertThatThrownBy(() -> TokenFile.line("t", "w", Role.WORKER, null))
        .hasMessageContaining("a worker token must name the worker id");
    assertThatThrownBy(() -> TokenFile.line("t", "v", Role.VIEWER, "w1"))
        .hasMessageContaining("only a worker token is bound to a worker id");
    assertThatThrownBy(() -> TokenFile.parse(List.of(good, good.replace("alice", "bob")), "tokens"))
        .hasMessageContaining("the same token is listed twice");
    assertThatThrownBy(() -> TokenFile.parse(List.of("# nothing"), "tokens")).hasMessageContaining("lists no token");
  }

  @Test
  void rolesGrantTheirOwnAndLowerRightsOnly() {
    assertThat(Role.ADMIN.grants(Role.WORKER)).isTrue();
    assertThat(Role.OPERATOR.grants(Role.VIEWER)).isTrue();
    assertThat(Role.OPERATOR.grants(Role.ADMIN)).isFalse();
    assertThat(Role.VIEWER.grants(Role.OPERATOR)).isFalse();
    assertThat(Role.WORKER.grants(Role.VIEWER)).isFalse();
  }
}
