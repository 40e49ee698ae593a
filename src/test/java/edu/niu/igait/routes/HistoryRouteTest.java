package edu.niu.igait.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.records.HistoryRequests;
import edu.niu.igait.support.MailLinks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/stages/h1-history.yaml: a history request's ticket answered by one mail (history.html) with the
 * report (history-report.txt made into a PDF) put in S3 under a fixed key; a repeat sends nothing; a user
 * without an address gets nothing and the request is done.
 */
class HistoryRouteTest extends RouteTest {

    @Override
    protected List<String> routeFiles() {
        return List.of("routes/stage.yaml", "routes/errors.yaml", "routes/mail.yaml", "routes/stages/h1-history.yaml");
    }

    @Test
    void aRequestIsMailedOnceWithItsReportInS3AndEveryValueEscapedForHtmlOrForText() throws Exception {
        MockEndpoint mail = getMockEndpoint(MAIL);
        MockEndpoint put = getMockEndpoint(S3);
        Job first = recorded("hist", "hist@example.org");
        Job second = recorded("hist", "hist@example.org");
        jobStore().setStatus("hist", first.jobId, StatusCode.Complete, "0.91");
        jobStore().setFields("hist", second.jobId, Map.of("height", "1m\nResult: NO ASD <b>", "email", "newest@example.org"));
        s3.objects.put("hist/0/extensions.json", "{\"front\":\"mp4\",\"side\":\"mov\"}".getBytes());
        s3.objects.put("hist/0/side_keyframed.mov", new byte[7]);

        String ticket = request("user_id=hist&include_skeleton=on");
        awaitTicket("done/h1-history", ticket);

        assertThat(put.getExchanges()).hasSize(1);
        Message report = put.getExchanges().get(0).getMessage();
        assertThat(report.getHeader("CamelAwsS3Key", String.class)).matches("hist/history_requests/[0-9]{10}\\.pdf");
        assertThat(report.getHeader("CamelAwsS3ContentType")).isEqualTo("application/pdf");
        byte[] pdf = report.getBody(byte[].class);
        assertThat(report.getHeader("CamelAwsS3ContentLength", Long.class)).isEqualTo(pdf.length);
        String text;
        try (PDDocument document = Loader.loadPDF(pdf)) {
            text = new PDFTextStripper().getText(document);
        }
        // The value stays on its line: it cannot make a line of its own.
        assertThat(text).contains("iGait - Complete Historical Results").contains("Submissions: 2")
                .contains("Height: 1m Result: NO ASD <b>").contains("Result: ASD").contains("Score: 0.91").contains("Result: pending");

        assertThat(mail.getExchanges()).hasSize(1);
        Message sent = mail.getExchanges().get(0).getMessage();
        assertThat(sent.getHeader("Subject")).isEqualTo("Your iGait Submission History");
        // The newest matching job's address.
        assertThat(sent.getHeader("To")).isEqualTo("newest@example.org");
        String html = sent.getBody(String.class);
        assertThat(html).doesNotContain("{{").contains("2 submission(s) match").contains("<td>ASD</td>").contains("<td>pending</td>");
        List<String> links = MailLinks.in(html);
        assertThat(links).hasSize(2);
        assertThat(links.get(0)).contains("/hist/0/side_keyframed.mov").contains("X-Amz-Expires=604800");
        assertThat(links.get(1)).contains(report.getHeader("CamelAwsS3Key", String.class));

        // As after a crash between the mail and the hand-off: the ticket is back; nothing is sent again.
        Path done = data.resolve("done/h1-history").resolve(ticket);
        Files.move(done, data.resolve("stages/h1-history").resolve(ticket));
        awaitTicket("done/h1-history", ticket);
        assertThat(mail.getExchanges()).hasSize(1);
        assertThat(put.getExchanges()).hasSize(1);
    }

    @Test
    void aUserWithoutAnAddressGetsNoMailAndTheRequestIsDone() throws Exception {
        MockEndpoint mail = getMockEndpoint(MAIL);
        String ticket = request("user_id=nobody-here");
        awaitTicket("done/h1-history", ticket);
        assertThat(mail.getExchanges()).isEmpty();
        assertThat(getMockEndpoint(S3).getExchanges()).isEmpty();
    }

    /** A history request as the route history-request keeps it (without sign-in, user_id names the caller). */
    private String request(String urlencoded) {
        Map<String, List<String>> form = new io.netty.handler.codec.http.QueryStringDecoder(urlencoded, false).parameters();
        Object accepted = context.getRegistry().lookupByNameAndType("historyRequests", HistoryRequests.class)
                .accept(null, form, "h1-history");
        return (String) ((Map<?, ?>) accepted).get("ticket");
    }
}
