package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}): it
 * shows NORMAL, and after "Start flood" it shows the detector firing and the peers in DNS. Leaves
 * a screenshot in {@code target/dashboard.png}. Runs HTTPS, as the demo does by default: the page
 * says so, and that every peer holds a certificate. Fails (never skips) when Chromium is missing.
 */
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Demo demo;
    private DashboardServer dashboard;
    private WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void showsNormalThenTheFloodDetectedAndPeersInDns() throws Exception {
        assertTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "headless Chromium is needed: apt-get install chromium chromium-driver (as .ci/run does)");
        demo = new Demo(
                DemoOptions.parse("--dashboard-port", "0", "--out", "target/dashboard-it"),
                new PrintStream(System.out, true, StandardCharsets.UTF_8));
        demo.start();
        dashboard = new DashboardServer(demo, 0);
        demo.awaitReady();
        demo.startCustomers();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400");
        browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build(),
                options);
        browser.get(dashboard.url());
        until("the detector shows NORMAL", () -> text("detector-state").equals("NORMAL"));
        assertTrue(text("scheme").startsWith("HTTPS"), "the demo runs HTTPS: " + text("scheme"));
        until("every peer's certificate is shown", () -> text("certificates").startsWith("3 of 3 peers hold one"));
        assertEquals("none", text("dns-addresses"));
        until("the detector is warmed up", () -> text("detector-warmup").equals("yes"));

        browser.findElement(By.id("start-flood")).click();
        until("the flood is on", () -> text("flood-state").equals("ON"));
        until(
                "the detector shows OVERLOADED or SURGING",
                () -> Set.of("OVERLOADED", "SURGING").contains(text("detector-state")));
        until("peers are shown in DNS", () -> text("dns-addresses").contains("127.0.0.1"));
        until(
                "the origin's admission limit is shown applying",
                () -> text("defence-engaged").equals("applies"));
        until(
                "the origin's defence is counted",
                () -> Long.parseLong(text("defence-direct-admitted")) > 0
                        && !text("defence-limit").equals("0"));
        until(
                "the detector's reasons are shown",
                () -> !text("detector-reasons").equals("—"));
        Path shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);

        browser.findElement(By.id("stop-flood")).click();
        until("the flood is off", () -> text("flood-state").equals("off"));
    }

    /** Polls the page every 100 ms until {@code condition} holds; fails after a minute. */
    private void until(String what, BooleanSupplier condition) {
        Demo.await(what + " on the dashboard", Duration.ofSeconds(60), () -> {
            try {
                return condition.getAsBoolean();
            } catch (RuntimeException e) {
                return false; // the page is being redrawn
            }
        });
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }
}
