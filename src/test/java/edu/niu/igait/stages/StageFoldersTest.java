package edu.niu.igait.stages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.mail.OperatorAlerts;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which folders under data/stages/ a route reads, as the routes of a context say: the ones that hold
 * tickets without a reader, what to do about them (the next folder read, in name order), and the
 * failed-job alert naming the folder to move a ticket back into only while a route reads it.
 */
class StageFoldersTest {

    @TempDir
    Path data;

    @Test
    void aFolderNoRouteReadsIsStrandedAndItsTicketsGoToTheNextFolderReadInNameOrder() throws Exception {
        JobRepository jobs = new JobRepository(data);
        try (DefaultCamelContext context = contextReading("1-record", "4-notify")) {
            StageFolders folders = new StageFolders(jobs, context);
            Files.createDirectories(jobs.stageDir("3b-webhook"));
            Files.writeString(jobs.stageDir("3b-webhook").resolve("ticket-a"), "{}");
            Files.writeString(jobs.stageDir("3b-webhook").resolve("ticket-b"), "{}");
            // Hidden files (a ticket being written) and the consumer's markers are not tickets.
            Files.writeString(jobs.stageDir("3b-webhook").resolve(".ticket-c"), "{}");
            Files.writeString(jobs.stageDir("3b-webhook").resolve("ticket-a.camelLock"), "");
            Files.createDirectories(jobs.stageDir("9-empty"));
            Files.writeString(jobs.stageDir("1-record").resolve("waiting"), "{}");

            assertThat(folders.read()).containsExactly("1-record", "4-notify");
            assertThat(folders.stranded()).containsExactly(java.util.Map.entry("3b-webhook", 2));
            assertThat(folders.advice("3b-webhook", 2)).isEqualTo(jobs.stageDir("3b-webhook") + "/ holds 2 tickets that no route"
                    + " reads (was its stage removed from routes/stages/?): its jobs go no further; move them to the next stage's"
                    + " folder (mv " + jobs.stageDir("3b-webhook") + "/* " + jobs.stageDir("4-notify") + "/), or put its stage back");
            assertThat(folders.advice("5-gone", 1)).contains("1 ticket that no route reads")
                    .endsWith("put its stage back, or move them to the folder of the stage that should take them next");
        }
    }

    @Test
    void theFailedJobsAlertNamesTheFolderToMoveATicketBackIntoOnlyWhileARouteReadsIt() throws Exception {
        JobRepository jobs = new JobRepository(data);
        List<String> lines = new ArrayList<>();
        try (DefaultCamelContext context = contextReading("2-store")) {
            OperatorAlerts alerts = new OperatorAlerts(context, Duration.ofMinutes(1), Duration.ofMinutes(10)) {
                @Override
                public synchronized boolean note(Kind kind, String line) {
                    lines.add(line);
                    return true;
                }
            };
            DeadLetter deadLetter = new DeadLetter(jobs, null, null, null, alerts, StageEvents.NONE, new StageFolders(jobs, context));
            for (String stage : new String[] {"2-store", "3b-webhook"}) {
                Ticket ticket = new Ticket();
                ticket.submissionId = "AAAAAAAAAAAAAAAAAAAAAA";
                ticket.file = jobs.failedDir(stage).resolve(ticket.submissionId);
                deadLetter.alert(ticket, stage, "S3 unavailable", null, null);
            }
        }
        assertThat(lines.get(0)).endsWith("to retry, move " + jobs.failedDir("2-store").resolve("AAAAAAAAAAAAAAAAAAAAAA") + " back to "
                + jobs.stageDir("2-store") + "/");
        assertThat(lines.get(1)).endsWith("no route reads " + jobs.stageDir("3b-webhook") + "/ now: "
                + jobs.failedDir("3b-webhook").resolve("AAAAAAAAAAAAAAAAAAAAAA") + " waits there until a stage that reads it is back");
    }

    /** A started context whose routes read these folders of the data folder, as the stage template's consumers do. */
    private DefaultCamelContext contextReading(String... stages) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String stage : stages) {
                    from("file:" + data.resolve("stages").resolve(stage) + "?delay=60000&initialDelay=60000").routeId(stage).to("log:x");
                }
            }
        });
        context.start();
        return context;
    }
}
