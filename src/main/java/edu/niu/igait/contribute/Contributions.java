package edu.niu.igait.contribute;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import edu.niu.igait.config.ServiceVersion;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.intake.Intake;
import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.ContributionRef;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.JobFields;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.records.Access;
import edu.niu.igait.stages.StatusTexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contributor's side of a research contribution (routes/contribute/intake.yaml): the contribution
 * kept on disk with its ticket before the {@code 202} ({@code POST /api/v1/contribute}), where it
 * stands ({@code GET /api/v1/contributions/<id>}), and its withdrawal, a ticket of its own stage
 * ({@code DELETE /api/v1/contributions/<id>}). A contribution is its contributor's alone: another uid's
 * is not found (404), so that nobody learns whose ids exist. No answer holds the name, the address or
 * the consents; no log line either.
 */
public class Contributions {

    private static final Logger LOG = LoggerFactory.getLogger("igait.contribute");
    private static final String STATUS_PATH = "/api/v1/contributions/";

    private final ContributionRecords records;
    private final StatusTexts texts;
    /** The last seconds given to each uid's contribution: two in one second still get folders of their own in S3. */
    private final Map<String, Long> lastSeconds = new ConcurrentHashMap<>();
    /** Withdrawals asked for one at a time per contribution (two DELETEs at once make one ticket). */
    private final Object[] locks = new Object[64];
    /** How an accepted contribution is noted for the other replicas' per-user limit (nothing by default: one replica). */
    private volatile java.util.function.BiConsumer<String, Instant> noted = (uid, at) -> { };

    public Contributions(ContributionRecords records, StatusTexts texts) {
        this.records = records;
        this.texts = texts;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * How this replica's accepted contributions are noted for the others, which count them with the uid's
     * uploads against {@code igait.limits.per-user} (none by default: one replica).
     */
    public void countElsewhere(java.util.function.BiConsumer<String, Instant> noted) {
        this.noted = noted;
    }

    /**
     * Persist first, answer second: the videos renamed into {@code data/contributions/<id>/}, the record
     * (with the seconds that fix its keys in S3) written, all of it fsync'd, and its ticket handed to
     * {@code stage} last (the pipeline's first stage, as the route says).
     */
    public Contribution persist(ContributionRequest request, String stage) {
        long started = System.nanoTime();
        JobRepository jobs = records.jobs();
        String id = Contribution.newId();
        Instant now = Instant.now();
        Contribution c = new Contribution();
        c.contributionId = id;
        c.uid = request.uid();
        c.name = request.name();
        c.email = request.email();
        c.consents.putAll(request.consents());
        c.receivedAt = now;
        c.seconds = lastSeconds.merge(request.uid(), now.getEpochSecond(), (last, secs) -> Math.max(last + 1, secs));
        c.client = request.client();
        c.version = ServiceVersion.get();
        c.front = new Job.Video(request.front().ext(), request.front().bytes());
        c.side = new Job.Video(request.side().ext(), request.side().bytes());
        c.setStatus(Contribution.Code.Received, texts.contribution(Contribution.Code.Received, null), now);
        Intake.keep(jobs.contributionDir(id), request.front(), request.side(), () -> jobs.saveContribution(c), () -> {
            Ticket ticket = new Ticket();
            ticket.contribution = new ContributionRef(id, c.uid);
            jobs.writeTicket(stage, Ticket.contributionName(id), ticket);
        });
        JobFields.put(null, c.uid, null, null);
        LOG.info(Subsystem.INTAKE, "contribution {} of uid {}: accepted, 2 videos ({} MB) stored in {} ms", id, c.uid,
                (c.front.bytes + c.side.bytes) / (1024 * 1024), Duration.ofNanos(System.nanoTime() - started).toMillis());
        noted.accept(c.uid, now);
        return c;
    }

    /** The 202's body. */
    public Map<String, Object> accepted(Contribution contribution) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("contributionId", contribution.contributionId);
        body.put("statusUrl", STATUS_PATH + contribution.contributionId);
        return body;
    }

    /**
     * Where the caller's contribution stands: stage, status, times. No name, address or consents.
     *
     * @param tokenUid the token's uid, or null without sign-in (then the query's {@code uid} names the caller)
     */
    public Map<String, Object> status(String id, String tokenUid, Map<String, List<String>> query) {
        String uid = Access.caller(tokenUid, query);
        return answer(find(id, uid));
    }

    /**
     * Withdraws the caller's contribution: its ticket handed to {@code stage} (which deletes its objects
     * in S3, its record and local files, and mails a confirmation), once; a withdrawal asked for again,
     * or of a contribution already withdrawn, changes nothing. Answers its status: {@code Withdrawing}
     * while the withdrawal goes on, {@code Withdrawn} once it is done.
     */
    public Map<String, Object> withdraw(String id, String tokenUid, Map<String, List<String>> query, String stage) {
        String uid = Access.caller(tokenUid, query);
        synchronized (locks[Math.floorMod(id.hashCode(), locks.length)]) {
            ContributionRecords.Known known = find(id, uid);
            JobRepository jobs = records.jobs();
            if (known.code() != Contribution.Code.Withdrawn && jobs.findTicket(Ticket.withdrawalName(id)).isEmpty()) {
                Ticket ticket = new Ticket();
                ticket.withdrawal = new ContributionRef(id, uid);
                ticket.withdrawal.requestedAt = Instant.now();
                jobs.writeTicket(stage, Ticket.withdrawalName(id), ticket);
                JobFields.put(null, uid, null, null);
                LOG.info(Subsystem.INTAKE, "{}: withdrawal asked for", known);
            }
            return answer(known);
        }
    }

    /** The answer's status code to a withdrawal: 200 once it is done, 202 while it goes on. */
    public int withdrawalCode(Map<String, Object> answer) {
        return answer.get("status") instanceof Map<?, ?> status && Contribution.Code.Withdrawn.name().equals(status.get("code")) ? 200 : 202;
    }

    private ContributionRecords.Known find(String id, String uid) {
        return records.read(id, uid).orElseThrow(() -> new RequestRejected(404, "not_found", "contributionId",
                "no contribution of this account with this id"));
    }

    private Map<String, Object> answer(ContributionRecords.Known known) {
        JobRepository jobs = records.jobs();
        Contribution.Code code = known.code();
        String value = known.value();
        String stage;
        Optional<String> withdrawal = jobs.findTicket(Ticket.withdrawalName(known.id()));
        if (code == Contribution.Code.Withdrawn) {
            stage = "done";
        } else if (withdrawal.isPresent()) {
            String where = withdrawal.get();
            if (where.startsWith(JobRepository.DONE)) {
                code = Contribution.Code.Withdrawn;
                value = texts.contribution(code, null);
                stage = "done";
            } else {
                code = Contribution.Code.Withdrawing;
                value = where.startsWith(JobRepository.FAILED + "/") ? texts.withdrawalFailed() : texts.contribution(code, null);
                stage = where;
            }
        } else if (known.local() != null) {
            stage = jobs.findTicket(Ticket.contributionName(known.id())).orElse("unknown");
        } else {
            stage = code == Contribution.Code.Complete ? "done" : code == Contribution.Code.Failed ? "failed" : "unknown";
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("contributionId", known.id());
        body.put("uid", known.uid());
        body.put("stage", stage);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("code", code == null ? null : code.name());
        status.put("value", value);
        body.put("status", status);
        put(body, "receivedAt", known.receivedAt());
        put(body, "updatedAt", known.updatedAt());
        put(body, "storedAt", known.storedAt());
        put(body, "withdrawnAt", known.withdrawnAt());
        return body;
    }

    private static void put(Map<String, Object> body, String name, Instant time) {
        if (time != null) {
            body.put(name, time.toString());
        }
    }
}
