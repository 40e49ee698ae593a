package edu.niu.igait.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, as a real browser for tests: it loads a page, lets its scripts run
 * (network requests included) and hands back the DOM. Needs {@code /usr/bin/chromium} (package
 * chromium, which .ci/run installs); tests are skipped where it is missing ({@link #present()}).
 */
public final class Chromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");

    private Chromium() {
    }

    /**
     * Whether Chromium is here: for {@code @EnabledIf("edu.niu.igait.support.Chromium#present")}, so that a
     * class without it is reported skipped (an assumption in {@code @BeforeAll} would report no test at all).
     */
    public static boolean present() {
        return binary().isPresent();
    }

    public static Optional<Path> binary() {
        return Files.isExecutable(BINARY) ? Optional.of(BINARY) : Optional.empty();
    }

    /**
     * The page's DOM once it has loaded and its scripts have had {@code budget} of virtual time
     * (Chromium stops the virtual clock while a request is out, so a slow answer is waited for).
     */
    public static String dumpDom(URI page, Duration budget) {
        Path profile = null;
        try {
            profile = Files.createTempDirectory("chromium-profile-");
            // The flags this machine's notes give: a closed network makes Chromium's background calls fail loudly.
            List<String> command = List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--virtual-time-budget=" + budget.toMillis(), "--dump-dom", page.toString());
            Path out = profile.resolve("dom.html");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(profile.resolve("stderr.log").toFile()).start();
            if (!process.waitFor(budget.toSeconds() + 90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("chromium did not finish with " + page);
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (profile != null) {
                try {
                    edu.niu.igait.job.DurableFiles.deleteTree(profile);
                } catch (IOException ignored) {
                    // a temp folder
                }
            }
        }
    }

    /** The text of the element with this id in a dumped DOM (entities &amp; &lt; &gt; decoded). */
    public static String text(String dom, String id) {
        String open = "id=\"" + id + "\">";
        int start = dom.indexOf(open);
        if (start < 0) {
            throw new AssertionError("no element #" + id + " in " + dom);
        }
        start += open.length();
        int end = dom.indexOf('<', start);
        return dom.substring(start, end).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }
}
