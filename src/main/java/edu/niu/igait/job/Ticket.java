package edu.niu.igait.job;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a stage folder holds for one piece of work: the file whose folder says where the work stands
 * (a file consumer moves it to the next stage's folder when a stage has succeeded). Its {@link Kind}
 * says what the work is, and is told by what the ticket carries: an upload's ticket is named by its
 * submission id and names the job; a completion's carries the result Metis reported; a history
 * request's, whose history to mail and how; a research contribution's and its withdrawal's, which
 * contribution (the rest is the contribution's own record). While a stage retries, the ticket keeps
 * since when and why, so that a restart does not reset the give-up clock, and a ticket moved back from
 * {@code data/failed/} starts afresh.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public class Ticket {

    /** The upload's submission id; null on a completion's ticket. */
    public String submissionId;

    // A completion's ticket (POST /api/v1/completion): what Metis reported, when, from where.
    @JsonProperty("user_id")
    public String completionUid;
    @JsonProperty("job_id")
    public Integer completionJobId;
    @JsonProperty("status_code")
    public String statusCode;
    @JsonProperty("status_content")
    public String statusContent;
    @JsonProperty("received_at")
    public Instant receivedAt;
    public String caller;

    /** A history request's ticket (POST /api/v1/historical_submissions): whose, and what to send. */
    public HistoryRequest history;

    /** A research contribution's ticket (POST /api/v1/contribute): which contribution, whose. */
    public ContributionRef contribution;

    /** A withdrawal's ticket (DELETE /api/v1/contributions/<id>): which contribution, and once sent, when its mail went out. */
    public ContributionRef withdrawal;

    /**
     * When the ticket came into the folder {@link #arrivedIn}, so that how long it has waited in its stage
     * ({@code igait_stage_oldest_ticket_seconds}) survives restarts, retries and scrapes. Written by the
     * endpoint that makes the ticket, and by the first rewrite of the ticket in a stage (a retry), from the
     * file's ctime, which the move into the folder set and that rewrite changes: a ticket that a stage
     * never rewrites has no need of it. A ticket whose {@code arrivedIn} is not its folder's name came in
     * since (a hand-on, a move back by hand from {@code data/failed/}): its ctime tells.
     */
    public Instant arrivedAt;
    public String arrivedIn;

    /** While the stage it is in retries: since when, how often, and the last error. */
    public Retry retry;

    // Known once the ticket has been opened by a stage; not written to the file.
    @JsonIgnore
    public Path file;
    @JsonIgnore
    public String stage;
    @JsonIgnore
    public String peer;
    @JsonIgnore
    public String uid;
    @JsonIgnore
    public Integer jobId;
    @JsonIgnore
    public long openedNanos;
    /** When the stage's current attempt began (its opening, or its latest retry). */
    @JsonIgnore
    public long attemptNanos;

    /** A stage's retries, kept across restarts so that the give-up time counts from the first failure. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Retry {
        public String stage;
        public Instant since;
        public int attempts;
        public String lastError;
    }

    /**
     * What a ticket is for. Each kind carries its own payload (the others null): the stages, the dead
     * letter, the retries and the retention sweep branch on it, and on nothing else.
     */
    public enum Kind {
        /** An upload's: {@code submissionId}; its job is data/jobs/<sid>/job.json, its status the app's. */
        UPLOAD,
        /** A result Metis posted: the completion's fields. */
        COMPLETION,
        /** A parent's history request: {@code history}. */
        HISTORY,
        /** A research contribution: {@code contribution}; its record is data/contributions/<id>/contribution.json. */
        CONTRIBUTION,
        /** A contribution's withdrawal: {@code withdrawal}. */
        WITHDRAWAL;

        /** The kind a ticket's file name says (each kind names its tickets its own way); empty for a name no ticket has. */
        public static java.util.Optional<Kind> ofName(String name) {
            if (name == null) {
                return java.util.Optional.empty();
            }
            if (SubmissionId.isValid(name)) {
                return java.util.Optional.of(UPLOAD);
            }
            if (COMPLETION_NAME.matcher(name).matches()) {
                return java.util.Optional.of(COMPLETION);
            }
            if (HISTORY_NAME.matcher(name).matches()) {
                return java.util.Optional.of(HISTORY);
            }
            if (name.endsWith(CONTRIBUTION_SUFFIX) && Contribution.isValidId(name.substring(0, name.length() - CONTRIBUTION_SUFFIX.length()))) {
                return java.util.Optional.of(CONTRIBUTION);
            }
            if (name.endsWith(WITHDRAWAL_SUFFIX) && Contribution.isValidId(name.substring(0, name.length() - WITHDRAWAL_SUFFIX.length()))) {
                return java.util.Optional.of(WITHDRAWAL);
            }
            return java.util.Optional.empty();
        }
    }

    /** What the ticket is for, by what it carries. */
    @JsonIgnore
    public Kind kind() {
        if (submissionId != null) {
            return Kind.UPLOAD;
        }
        if (history != null) {
            return Kind.HISTORY;
        }
        if (contribution != null) {
            return Kind.CONTRIBUTION;
        }
        if (withdrawal != null) {
            return Kind.WITHDRAWAL;
        }
        return Kind.COMPLETION;
    }

    private static final String CONTRIBUTION_SUFFIX = ".contribution.json";
    private static final String WITHDRAWAL_SUFFIX = ".withdrawal.json";

    /** A contribution's ticket name, {@code <id>.contribution.json}: one per contribution, wherever it stands. */
    public static String contributionName(String contributionId) {
        return Contribution.requireId(contributionId) + CONTRIBUTION_SUFFIX;
    }

    /** A withdrawal's ticket name, {@code <id>.withdrawal.json}: one per contribution, so a second request finds the first. */
    public static String withdrawalName(String contributionId) {
        return Contribution.requireId(contributionId) + WITHDRAWAL_SUFFIX;
    }

    /** A completion's ticket name, {@code <uid>.<jobId>.<received, UTC>.<random>.json} (completion.CompletionTickets gives them). */
    private static final Pattern COMPLETION_NAME = Pattern.compile(
            "[A-Za-z0-9_-]{1,128}\\.[0-9]{1,10}\\.[0-9]{8}T[0-9]{9}Z\\.[A-Za-z0-9_-]{8}\\.json");

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A name for a ticket that is not an upload's: {@code <head>.<at, UTC>.<random>.json}, so that
     * {@code ls} shows whose it is and when it came, and two never share a name.
     */
    public static String uniqueName(String head, Instant at) {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        return head + "." + STAMP.format(at) + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + ".json";
    }

    /** A history request's ticket name, {@code <uid>.history.<received, UTC>.<random>.json} (records.HistoryRequests gives them). */
    private static final Pattern HISTORY_NAME = Pattern.compile(
            "[A-Za-z0-9_-]{1,128}\\.history\\.[0-9]{8}T[0-9]{9}Z\\.[A-Za-z0-9_-]{8}\\.json");

    /** Whether a file name is a history request's ticket name. */
    public static boolean isHistoryName(String name) {
        return name != null && HISTORY_NAME.matcher(name).matches();
    }

    /** Whether a file name is a completion's ticket name. */
    public static boolean isCompletionName(String name) {
        return name != null && COMPLETION_NAME.matcher(name).matches();
    }

    /** The file's name: the submission id, or the ticket name of another kind. */
    @JsonIgnore
    public String name() {
        return file == null ? submissionId : file.getFileName().toString();
    }

    /** For log lines: {@code job 7 for uid x} once known, else {@code submission <sid>}; never an address or a name. */
    @Override
    public String toString() {
        if (jobId != null) {
            return "job " + jobId + " for uid " + uid;
        }
        return switch (kind()) {
            case UPLOAD -> "submission " + submissionId;
            case HISTORY -> "history request of uid " + history.uid;
            case CONTRIBUTION -> "contribution " + contribution.id + " of uid " + contribution.uid;
            case WITHDRAWAL -> "withdrawal of contribution " + withdrawal.id + " of uid " + withdrawal.uid;
            case COMPLETION -> "ticket " + name();
        };
    }
}
