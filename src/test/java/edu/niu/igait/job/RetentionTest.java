package edu.niu.igait.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import edu.niu.igait.support.TestService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local job records go once the job has not changed for igait.retention.local, by the daily sweep;
 * a job still in a stage never does. Ages are made by setting the files' modification times back.
 */
class RetentionTest {

    @TempDir
    Path data;

    /** A job in the data folder: its folder with job.json and a video, its ticket in {@code ticketDir} (null: none). */
    private String job(JobRepository jobs, String uid, Integer jobId, Path ticketDir) throws IOException {
        String sid = SubmissionId.next();
        Job job = new Job();
        job.submissionId = sid;
        job.uid = uid;
        job.jobId = jobId;
        Files.createDirectories(jobs.jobDir(sid));
        jobs.save(job);
        Files.write(jobs.jobDir(sid).resolve("front.mp4"), new byte[100]);
        if (ticketDir != null) {
            Files.createDirectories(ticketDir);
            Files.writeString(ticketDir.resolve(sid), "{\"submissionId\":\"" + sid + "\"}");
        }
        return sid;
    }

    private static Path completion(Path dir, String uid, int jobId) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(uid + "." + jobId + ".20261001T120000000Z.AbCdEfGh.json"), "{\"status_code\":\"OK\"}");
    }

    private static Path history(Path dir, String uid) throws IOException {
        Files.createDirectories(dir);
        Path ticket = dir.resolve(uid + ".history.20261001T120000000Z.AbCdEfGh.json");
        assertThat(Ticket.isHistoryName(ticket.getFileName().toString())).isTrue();
        return Files.writeString(ticket, "{\"history\":{\"uid\":\"" + uid + "\"}}");
    }

    /** Sets every file and folder under {@code path} this far back. */
    private static void age(Path path, Duration by) {
        FileTime then = FileTime.from(Instant.now().minus(by));
        try (Stream<Path> tree = Files.walk(path)) {
            tree.forEach(p -> {
                try {
                    Files.setLastModifiedTime(p, then);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void finishedJobsUnchangedForTheRetentionGoWithTheirTicketsAndCompletionsAndNothingElseDoes() throws IOException {
        JobRepository jobs = new JobRepository(data);
        jobs.createLayout();
        Path done = data.resolve("done");
        Path failed = data.resolve("failed").resolve("3-submit");
        Duration old = Duration.ofDays(31);

        String oldDone = job(jobs, "parent-a", 0, done);
        Path oldDoneResult = completion(done.resolve("5-complete"), "parent-a", 0);
        age(jobs.jobDir(oldDone), old);
        age(done.resolve(oldDone), old);
        age(oldDoneResult, old);

        String oldFailed = job(jobs, "parent-b", null, failed);
        age(jobs.jobDir(oldFailed), old);
        age(failed.resolve(oldFailed), old);

        String freshDone = job(jobs, "parent-c", 0, done);

        // job.json old, but Metis's result came yesterday: the job's last change is that result.
        String recentlyCompleted = job(jobs, "parent-d", 3, done);
        age(jobs.jobDir(recentlyCompleted), old);
        age(done.resolve(recentlyCompleted), old);
        Path recentResult = completion(done.resolve("5-complete"), "parent-d", 3);
        age(recentResult, Duration.ofDays(1));

        // Still in the pipeline, however old: never touched.
        Path stage = data.resolve("stages").resolve("3-submit");
        String waiting = job(jobs, "parent-e", 1, stage);
        age(jobs.jobDir(waiting), Duration.ofDays(300));
        age(stage.resolve(waiting), Duration.ofDays(300));
        Path waitingResult = completion(data.resolve("failed").resolve("5-complete"), "parent-e", 1);
        age(waitingResult, old);

        // A folder without a ticket (an upload being stored): not the sweep's business.
        String noTicket = job(jobs, "parent-f", null, null);
        age(jobs.jobDir(noTicket), old);

        // Completions of jobs not kept here: by their own age.
        Path orphanOld = completion(data.resolve("failed").resolve("5-complete"), "stranger", 9);
        age(orphanOld, old);
        Path orphanFresh = completion(data.resolve("failed").resolve("5-complete"), "stranger", 10);

        // History requests, answered or failed: by their own age too; one still in its stage stays.
        Path oldHistory = history(done.resolve("h1-history"), "parent-a");
        age(oldHistory, old);
        Path oldFailedHistory = history(data.resolve("failed").resolve("h1-history"), "parent-b");
        age(oldFailedHistory, old);
        Path freshHistory = history(done.resolve("h1-history"), "parent-c");
        Path waitingHistory = history(data.resolve("stages").resolve("h1-history"), "parent-e");
        age(waitingHistory, old);

        Retention.Swept swept = new Retention(jobs, Duration.ofDays(30), Clock.systemUTC()).sweep();

        assertThat(swept.jobs()).containsExactlyInAnyOrder(oldDone, oldFailed);
        assertThat(swept.completionTickets()).isEqualTo(2);
        assertThat(swept.historyTickets()).isEqualTo(2);
        assertThat(oldHistory).doesNotExist();
        assertThat(oldFailedHistory).doesNotExist();
        assertThat(freshHistory).exists();
        assertThat(waitingHistory).exists();
        assertThat(jobs.jobDir(oldDone)).doesNotExist();
        assertThat(done.resolve(oldDone)).doesNotExist();
        assertThat(oldDoneResult).doesNotExist();
        assertThat(jobs.jobDir(oldFailed)).doesNotExist();
        assertThat(failed.resolve(oldFailed)).doesNotExist();
        assertThat(orphanOld).doesNotExist();

        for (String kept : new String[] {freshDone, recentlyCompleted, waiting, noTicket}) {
            assertThat(jobs.jobDir(kept).resolve("job.json")).as(kept).exists();
        }
        assertThat(done.resolve(freshDone)).exists();
        assertThat(done.resolve(recentlyCompleted)).exists();
        assertThat(recentResult).exists();
        assertThat(stage.resolve(waiting)).exists();
        assertThat(waitingResult).exists();
        assertThat(orphanFresh).exists();
        // The layout stays.
        assertThat(done).isDirectory();
        assertThat(failed).isDirectory();
    }

    /** A research contribution: its folder with contribution.json and a video, its ticket in {@code ticketDir}. */
    private String contribution(JobRepository jobs, Path ticketDir) throws IOException {
        String id = Contribution.newId();
        Contribution c = new Contribution();
        c.contributionId = id;
        c.uid = "giver";
        jobs.saveContribution(c);
        Files.write(jobs.contributionDir(id).resolve("front.mp4"), new byte[100]);
        Files.createDirectories(ticketDir);
        Files.writeString(ticketDir.resolve(Ticket.contributionName(id)), "{\"contribution\":{\"id\":\"" + id + "\",\"uid\":\"giver\"}}");
        return id;
    }

    @Test
    void finishedContributionsGoWithTheirTicketsAndWithdrawalsByTheirOwnAgeAndOnesOnTheirWayStay() throws IOException {
        JobRepository jobs = new JobRepository(data);
        jobs.createLayout();
        Path done = data.resolve("done").resolve("contributions");
        Duration old = Duration.ofDays(31);
        String oldDone = contribution(jobs, done);
        age(jobs.contributionDir(oldDone), old);
        age(done.resolve(Ticket.contributionName(oldDone)), old);
        String oldFailed = contribution(jobs, data.resolve("failed").resolve("c1-store"));
        age(jobs.contributionDir(oldFailed), old);
        age(data.resolve("failed/c1-store").resolve(Ticket.contributionName(oldFailed)), old);
        // Its record changed yesterday (a withdrawal asked for, a status set): kept.
        String recent = contribution(jobs, done);
        age(done.resolve(Ticket.contributionName(recent)), old);
        String waiting = contribution(jobs, data.resolve("stages").resolve("c1-store"));
        age(jobs.contributionDir(waiting), Duration.ofDays(300));
        age(data.resolve("stages/c1-store").resolve(Ticket.contributionName(waiting)), Duration.ofDays(300));
        Path withdrawals = Files.createDirectories(data.resolve("done").resolve("withdrawals"));
        Path oldWithdrawal = Files.writeString(withdrawals.resolve(Ticket.withdrawalName(oldDone)), "{}");
        age(oldWithdrawal, old);
        Path freshWithdrawal = Files.writeString(withdrawals.resolve(Ticket.withdrawalName(recent)), "{}");

        Retention.Swept swept = new Retention(jobs, Duration.ofDays(30), Clock.systemUTC()).sweep();

        assertThat(swept.contributions()).containsExactlyInAnyOrder(oldDone, oldFailed);
        assertThat(swept.withdrawalTickets()).isEqualTo(1);
        assertThat(swept.jobs()).isEmpty();
        assertThat(jobs.contributionDir(oldDone)).doesNotExist();
        assertThat(done.resolve(Ticket.contributionName(oldDone))).doesNotExist();
        assertThat(jobs.contributionDir(oldFailed)).doesNotExist();
        assertThat(oldWithdrawal).doesNotExist();
        assertThat(freshWithdrawal).exists();
        for (String kept : new String[] {recent, waiting}) {
            assertThat(jobs.contributionDir(kept).resolve("contribution.json")).as(kept).exists();
        }
        assertThat(data.resolve("stages/c1-store").resolve(Ticket.contributionName(waiting))).exists();
        // A folder whose ticket is gone is an interrupted intake's: removed at start-up, not by the sweep.
        assertThat(jobs.removeOrphans()).isEmpty();
    }

    @Test
    void aTicketMovedBackIntoAStageBeforeTheSweepKeepsItsJob() throws IOException {
        JobRepository jobs = new JobRepository(data);
        jobs.createLayout();
        Path failed = data.resolve("failed").resolve("2-store");
        String sid = job(jobs, "parent-g", 2, failed);
        age(jobs.jobDir(sid), Duration.ofDays(40));
        age(failed.resolve(sid), Duration.ofDays(40));
        // The operator retries it: mv data/failed/2-store/<sid> data/stages/2-store/
        Files.createDirectories(data.resolve("stages").resolve("2-store"));
        Files.move(failed.resolve(sid), data.resolve("stages").resolve("2-store").resolve(sid));

        assertThat(new Retention(jobs, Duration.ofDays(30), Clock.systemUTC()).sweep().jobs()).isEmpty();
        assertThat(jobs.jobDir(sid).resolve("job.json")).exists();
    }

    /** The route: a timer in routes/retention.yaml calls the sweep, with a short retention here. */
    @Test
    void theServiceSweepsOnItsTimer() throws IOException {
        JobRepository jobs = new JobRepository(data);
        jobs.createLayout();
        Path done = data.resolve("done");
        String old = job(jobs, "parent-h", 0, done);
        age(jobs.jobDir(old), Duration.ofHours(2));
        age(done.resolve(old), Duration.ofHours(2));
        String fresh = job(jobs, "parent-i", 0, done);
        Path stage = data.resolve("stages").resolve("1-record");
        String waiting = job(jobs, "parent-j", null, stage);
        age(jobs.jobDir(waiting), Duration.ofHours(2));
        age(stage.resolve(waiting), Duration.ofHours(2));

        Map<String, String> p = new LinkedHashMap<>();
        p.put("igait.data-dir", data.toString());
        p.put("igait.retention.local", "1h");
        p.put("igait.retention.first-sweep", "100ms");
        p.put("igait.retention.sweep-period", "200ms");
        try (TestService service = TestService.start(p)) {
            Retention retention = service.context().getRegistry().lookupByNameAndType("retention", Retention.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> retention.sweeps() >= 2);
            assertThat(jobs.jobDir(old)).doesNotExist();
            assertThat(done.resolve(old)).doesNotExist();
            assertThat(jobs.jobDir(fresh).resolve("job.json")).exists();
            assertThat(jobs.jobDir(waiting).resolve("job.json")).exists();
            assertThat(stage.resolve(waiting)).exists();
        }
    }

    /** The S3 lifecycle rule the README gives operators: JSON as the AWS CLI takes it, and as long as the local retention. */
    @Test
    void theReadmesS3LifecycleRuleParsesAndMatchesTheLocalRetention() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```json\n{\n  \"Rules\"");
        assertThat(start).as("the lifecycle JSON in README.md").isPositive();
        String json = readme.substring(start + "```json\n".length(), readme.indexOf("```", start + 7));
        com.fasterxml.jackson.databind.JsonNode rule = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("Rules").get(0);
        assertThat(rule.get("Status").asText()).isEqualTo("Enabled");
        assertThat(rule.get("Filter").get("Prefix").asText()).isEmpty();
        assertThat(rule.get("AbortIncompleteMultipartUpload").get("DaysAfterInitiation").asInt()).isPositive();
        java.util.Properties props = new java.util.Properties();
        try (var in = RetentionTest.class.getResourceAsStream("/application.properties")) {
            props.load(in);
        }
        assertThat(Duration.ofDays(rule.get("Expiration").get("Days").asLong()))
                .isEqualTo(org.apache.camel.util.TimeUtils.toDuration(props.getProperty("igait.retention.local")));
        assertThat(readme).contains("aws s3api put-bucket-lifecycle-configuration --bucket igait-storage --lifecycle-configuration file://");
    }

    @Test
    void aRetentionOrPeriodOfNothingFailsStartUpNamingIt() {
        for (String property : new String[] {"igait.retention.local", "igait.retention.sweep-period"}) {
            for (String bad : new String[] {"0", "0s", "soon"}) {
                assertThatThrownBy(() -> TestService.start(Map.of(property, bad)).close()).as(property + "=" + bad)
                        .hasMessageContaining(property);
            }
        }
    }
}
