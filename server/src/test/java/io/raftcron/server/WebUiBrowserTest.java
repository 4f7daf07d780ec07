package io.raftcron.server;

import static io.raftcron.server.HttpTestClient.assertCreated;
import static io.raftcron.server.HttpTestClient.createJob;
import static io.raftcron.server.HttpTestClient.getRetrying;
import static io.raftcron.server.HttpTestClient.postRetrying;
import static io.raftcron.server.HttpTestClient.parse;
import static io.raftcron.server.HttpTestClient.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.proto.Alert;
import io.raftcron.proto.Job;
import io.raftcron.proto.ListAlertsResponse;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser (Debian's chromium, headless, through its chromedriver) against a
 * real three-node cluster. Screenshots land in target/ui-*.png.
 */
class WebUiBrowserTest {
  /** Debian's packages, installed by scripts/install-deps.sh; no browser is downloaded. */
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final List<String> NODES = List.of("n1", "n2", "n3");

  @TempDir Path dir;
  private LocalCluster cluster;
  private ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws IOException {
    assertThat(CHROMIUM).as("chromium is missing: run scripts/install-deps.sh").isExecutable();
    assertThat(CHROMEDRIVER).as("chromedriver is missing: run scripts/install-deps.sh").isExecutable();
    cluster = new LocalCluster(dir, 3, Duration.ofSeconds(5));
    HttpTestClient.awaitLeaderKnownEverywhere(cluster);

    ChromeOptions options =
        new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            // --no-sandbox: the tests may run as root in a container, where chromium's sandbox cannot start.
            .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    // The pages refresh every few seconds: an element found just before a redraw may go stale.
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void listsAJobShowsItsRunsWithTheFiringNodeAndPausesIt() throws Exception {
    String api = cluster.httpUrls().get(0);
    assertCreated(api + "/api/v1/JobService/CreateJob", createJob("ui-tick", "* * * * * *"));
    assertCreated(api + "/api/v1/JobService/CreateJob", createJob("ui-hourly", "0 * * * *"));

    // Any node serves the UI: use another one than the API calls above.
    browser.get(cluster.httpUrls().get(1) + "/");
    String tick = wait.until(d -> text(d.findElement(By.cssSelector("tr[data-job='ui-tick']")), "QUEUED"));
    assertThat(tick).contains("ui-tick", "* * * * * *", "every second", "UTC", "active");
    assertThat(textOf(By.cssSelector("tr[data-job='ui-hourly']"))).contains("every hour");

    wait.until(d -> !d.findElement(By.id("flash")).isDisplayed());
    screenshot("ui-jobs.png");

    browser.findElement(By.id("job-filter")).sendKeys("hourly");
    wait.until(d -> d.findElements(By.cssSelector("tr.job")).size() == 1);
    assertThat(browser.findElement(By.cssSelector("tr.job")).getAttribute("data-job")).isEqualTo("ui-hourly");
    browser.findElement(By.id("job-filter")).clear();
    browser.findElement(By.id("job-filter")).sendKeys("tick");
    wait.until(d -> d.findElements(By.cssSelector("tr.job")).size() == 1);

    browser.findElement(By.linkText("ui-tick")).click();
    List<String> firedBy =
        wait.until(d -> {
          List<String> nodes =
              d.findElements(By.cssSelector("tr.run td.fired-by .node")).stream().map(WebElement::getText).toList();
          return nodes.size() >= 2 ? nodes : null;
        });
    assertThat(firedBy).allSatisfy(node -> assertThat(node).isIn(NODES));
    String leaderId = cluster.leader().orElseThrow().config().nodeId();
    assertThat(firedBy).contains(leaderId);
    assertThat(textOf(By.cssSelector("tr.run td.fired-by")))
        .containsPattern("term \\d+ · index \\d+");
    wait.until(d -> d.findElements(By.cssSelector("#preview tbody tr")).size() == 5);

    // "Why did it run at T?" for a slot that fired.
    Run fired = parse(getRetrying(api + "/api/v1/jobs/ui-tick/runs?limit=1").body(), ListRunsResponse.getDefaultInstance()).getRuns(0);
    browser.findElement(By.id("explain-slot")).sendKeys(com.google.protobuf.util.Timestamps.toString(fired.getSlot()));
    browser.findElement(By.cssSelector("#explain-form button")).click();
    wait.until(d -> d.findElement(By.id("explain-result")).getText().startsWith("FIRED"));
    assertThat(browser.findElement(By.id("explain-result")).getText()).contains(fired.getFiredBy());
    screenshot("ui-job.png");

    browser.findElement(By.id("pause-btn")).click();
    wait.until(d -> d.findElement(By.id("job-status")).getText().contains("paused"));
    assertThat(browser.findElement(By.id("resume-btn")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("pause-btn")).isDisplayed()).isFalse();
    assertThat(parse(getRetrying(api + "/api/v1/jobs/ui-tick").body(), Job.getDefaultInstance()).getPaused()).isTrue();

    browser.findElement(By.linkText("← Jobs")).click();
    wait.until(d -> d.findElement(By.cssSelector("tr[data-job='ui-tick']")).getText().contains("paused"));

    browser.findElement(By.linkText("Cluster")).click();
    wait.until(d -> d.findElements(By.cssSelector("tr.cluster-node")).size() == 3);
    assertThat(browser.findElement(By.id("leader")).getText()).isEqualTo(leaderId);
    List<String> nodes =
        wait.until(d -> d.findElements(By.cssSelector("tr.cluster-node")).stream().map(WebElement::getText).toList());
    assertThat(nodes).hasSize(3).allSatisfy(node -> assertThat(node).contains("healthy").doesNotContain("unhealthy"));
    screenshot("ui-cluster.png");

    // The alerts page shows what AlertService answers (queued runs and no worker: NO_WORKERS may fire).
    browser.findElement(By.linkText("Alerts")).click();
    wait.until(d -> d.findElement(By.cssSelector("#main h1")).getText().equals("Alerts"));
    wait.until(d -> {
      ListAlertsResponse firing =
          parse(postRetrying(api + "/api/v1/AlertService/ListAlerts", "{}").body(), ListAlertsResponse.getDefaultInstance());
      List<String> shown = d.findElements(By.cssSelector("tr.alert")).stream()
          .map(row -> row.getAttribute("data-alert")).toList();
      return shown.equals(firing.getAlertsList().stream().map(Alert::getId).toList())
          && (!shown.isEmpty() || d.findElement(By.id("main")).getText().contains("No alert is firing."));
    });
  }

  @Test
  void triggersAndDeletesOnlyAfterConfirmation() throws Exception {
    String api = cluster.httpUrls().get(2);
    assertCreated(api + "/api/v1/JobService/CreateJob", createJob("ui-manual", "0 0 1 1 *"));
    browser.get(cluster.httpUrls().get(0) + "/#/jobs/ui-manual");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("trigger-now-btn"))).click();
    wait.until(d -> d.findElements(By.cssSelector("tr.run")).size() == 1);
    assertThat(textOf(By.cssSelector("tr.run"))).contains("manual", "QUEUED");

    browser.findElement(By.id("delete-btn")).click();
    wait.until(ExpectedConditions.alertIsPresent()).dismiss();
    assertThat(getRetrying(api + "/api/v1/jobs/ui-manual").statusCode()).isEqualTo(200);

    browser.findElement(By.id("delete-btn")).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(d -> d.getCurrentUrl().endsWith("#/jobs"));
    await().atMost(Duration.ofSeconds(10)).until(() -> getRetrying(api + "/api/v1/jobs/ui-manual").statusCode() == 404);
  }

  @Test
  void showsMarkupFromTheApiAsTextAndWorksAtPhoneWidth() throws Exception {
    String hostile = "echo '<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>'";
    String api = cluster.httpUrls().get(0);
    assertCreated(api + "/api/v1/JobService/CreateJob", "{\"spec\":" + spec("ui-hostile", "@every 1h", hostile) + "}");

    browser.manage().window().setSize(new Dimension(390, 844));
    browser.get(api + "/#/jobs/ui-hostile");
    wait.until(d -> d.findElement(By.id("job-facts")).getText().contains("Command"));
    assertThat(browser.findElement(By.id("job-facts")).getText()).contains(hostile);
    JavascriptExecutor js = browser;
    assertThat(js.executeScript("return window.pwned === undefined")).isEqualTo(true);
    assertThat(browser.findElements(By.cssSelector("#job-facts img, #job-facts script"))).isEmpty();
    assertThat(js.executeScript("return document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
    screenshot("ui-job-phone.png");

    browser.get(api + "/#/jobs");
    browser.navigate().refresh();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job='ui-hostile']")));
    // At phone width the table is a stack of cards: no header row, each cell labelled.
    assertThat(browser.findElement(By.cssSelector("thead")).isDisplayed()).isFalse();
    assertThat(js.executeScript("return document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
    screenshot("ui-jobs-phone.png");
  }

  /** The text of the element {@code by} finds, read again if a redraw replaced it meanwhile. */
  private String textOf(By by) {
    return wait.until(d -> d.findElement(by).getText());
  }

  /** The element's text once it contains {@code part}, else null (to keep a wait going). */
  private static String text(WebElement element, String part) {
    String text = element.getText();
    return text.contains(part) ? text : null;
  }

  private void screenshot(String name) throws IOException {
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
