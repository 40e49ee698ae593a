package edu.niu.igait.metis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.failure.MalformedJob;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import edu.niu.igait.job.Uid;

/**
 * The commands sent to Metis and the reading of their answers. A command is built from its template
 * ({@code igait.metis.command}, {@code igait.metis.check-command}) with only the validated uid and the
 * job id the service allocated: no client text reaches the remote shell.
 */
public class MetisCommand {

    public static final String PEER = "Metis";
    /** A PBS job id as qsub and qselect print it: {@code 1234} or {@code 1234.server.domain}. */
    private static final Pattern PBS_ID = Pattern.compile("^\\s*(\\d+(?:\\.[A-Za-z0-9_.-]+)?)\\s*$", Pattern.MULTILINE);

    private final String submit;
    private final String check;

    public MetisCommand(String submit, String check) {
        for (String[] t : new String[][] {{"igait.metis.command", submit}, {"igait.metis.check-command", check}}) {
            if (t[1] == null || !t[1].contains("${uid}") || !t[1].contains("${jobId}")) {
                throw new StartupException("property " + t[0] + " must contain ${uid} and ${jobId}, got: " + t[1]);
            }
        }
        this.submit = submit;
        this.check = check;
    }

    /** The qsub for this job. */
    public String submit(String uid, Integer jobId) {
        return fill(submit, uid, jobId);
    }

    /** The question to PBS whether it has this job (qselect by the job's name). */
    public String check(String uid, Integer jobId) {
        return fill(check, uid, jobId);
    }

    private static String fill(String template, String uid, Integer jobId) {
        if (!Uid.isValid(uid) || jobId == null || jobId < 0) {
            throw new MalformedJob("no valid uid and job id to put into a Metis command");
        }
        return template.replace("${uid}", uid).replace("${jobId}", Integer.toString(jobId));
    }

    /**
     * Reads qsub's answer (camel-ssh does not throw on a non-zero exit: it is checked here) and returns
     * the PBS id it printed.
     */
    public String pbsId(Integer exit, Object stdout, Object stderr) throws IOException {
        String out = text(stdout);
        requireSuccess("qsub", exit, text(stderr));
        Matcher m = PBS_ID.matcher(out);
        if (!m.find()) {
            throw new PeerRefused(PEER, "qsub on Metis printed no PBS job id (got '" + firstLine(out) + "')", null);
        }
        return m.group(1);
    }

    /** Reads qselect's answer: the PBS id of the job if PBS has it, empty if it has none. */
    public Optional<String> existing(Integer exit, Object stdout, Object stderr) throws IOException {
        String out = text(stdout);
        requireSuccess("the check whether PBS has the job", exit, text(stderr));
        Matcher m = PBS_ID.matcher(out);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static void requireSuccess(String what, Integer exit, String err) {
        if (exit == null) {
            throw new PeerUnavailable(PEER, "Metis closed the session before " + what + " answered (time-out or dropped connection)", null);
        }
        if (exit != 0) {
            String message = what + " on Metis exited with " + exit + (err.isBlank() ? "" : ": " + firstLine(err));
            if (exit == 126 || exit == 127) {
                throw new PeerRefused(PEER, message + " (check igait.metis.command and igait.metis.check-command)", null);
            }
            throw new PeerUnavailable(PEER, message, null);
        }
    }

    private static String text(Object value) throws IOException {
        if (value == null) {
            return "";
        }
        if (value instanceof InputStream in) {
            return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
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
