package edu.niu.igait.metis;

import edu.niu.igait.job.Uid;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import edu.niu.igait.intake.UploadValidator;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.MalformedJobException;
import edu.niu.igait.pipeline.PermanentFailure;
import org.apache.camel.Exchange;

/**
 * The command sent to Metis and the reading of its answer. The command is built from the
 * {@code igait.metis.command} template with only the validated uid and the job id the service
 * allocated: no client text reaches the remote shell.
 */
public class MetisCommand {

    /** A PBS job id as qsub prints it: {@code 1234} or {@code 1234.server.domain}. */
    private static final Pattern PBS_ID = Pattern.compile("^\\s*(\\d+(?:\\.[A-Za-z0-9_.-]+)?)\\s*$", Pattern.MULTILINE);

    private final String template;

    public MetisCommand(String template) {
        if (!template.contains("${uid}") || !template.contains("${jobId}")) {
            throw new edu.niu.igait.config.StartupException(
                    "igait.metis.command must contain ${uid} and ${jobId}, got: " + template);
        }
        this.template = template;
    }

    public String build(Job job) {
        if (job.uid == null || !Uid.isValid(job.uid) || job.jobId == null || job.jobId < 0) {
            throw new MalformedJobException("submission " + job.submissionId + " has no valid uid and job id to submit");
        }
        return template.replace("${uid}", job.uid).replace("${jobId}", Integer.toString(job.jobId));
    }

    /**
     * Reads camel-ssh's answer: a non-zero exit does not throw there, so it is checked here. Returns
     * the PBS id qsub printed.
     */
    public String pbsId(Exchange exchange) throws IOException {
        Integer exit = exchange.getIn().getHeader("CamelSshExitValue", Integer.class);
        String stdout = text(exchange.getIn().getBody());
        String stderr = text(exchange.getIn().getHeader("CamelSshStderr"));
        if (exit == null) {
            throw new IOException("Metis closed the session without an exit status (time-out or dropped connection)");
        }
        if (exit != 0) {
            String message = "qsub on Metis exited with " + exit + (stderr.isBlank() ? "" : ": " + firstLine(stderr));
            if (exit == 126 || exit == 127) {
                throw new PermanentFailure(message + " (check igait.metis.command)");
            }
            throw new IOException(message);
        }
        Matcher m = PBS_ID.matcher(stdout);
        if (!m.find()) {
            throw new PermanentFailure("qsub on Metis printed no PBS job id (got '" + firstLine(stdout) + "')");
        }
        return m.group(1);
    }

    private static String text(Object value) throws IOException {
        if (value == null) {
            return "";
        }
        if (value instanceof InputStream in) {
            byte[] bytes = in.readNBytes(64 * 1024);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return value.toString();
    }

    private static String firstLine(String s) {
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
