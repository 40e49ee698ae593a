package edu.niu.igait.contribute;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import edu.niu.igait.failure.Errors;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.stages.ContributionStatus;
import edu.niu.igait.store.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a research contribution is known from: this machine's record
 * ({@code data/contributions/<id>/contribution.json}, while it is kept) and the job store's
 * ({@code contributions/<uid>/<id>}, written by stage c1-store), which keeps what a withdrawal needs
 * once the local record is gone: the objects in S3, the address and the name. A withdrawn contribution's
 * record in the store is replaced by what remains of it: its status, and when it came and went.
 */
public class ContributionRecords {

    private static final Logger LOG = LoggerFactory.getLogger("igait.contribute");
    /** How long a client is asked to wait when the job store cannot be reached. */
    static final long RETRY_SECONDS = 30;

    private final JobRepository jobs;
    private final JobStore store;
    private final ResearchKeys keys;

    public ContributionRecords(JobRepository jobs, JobStore store, ResearchKeys keys) {
        this.jobs = jobs;
        this.store = store;
        this.keys = keys;
    }

    JobRepository jobs() {
        return jobs;
    }

    JobStore store() {
        return store;
    }

    ResearchKeys keys() {
        return keys;
    }

    /** A contribution as known here or in the job store. */
    public record Known(String id, String uid, String name, String email, Contribution.Code code, String value, Instant receivedAt,
                        Instant updatedAt, Instant storedAt, Instant withdrawnAt, List<String> objects, Contribution local) {

        @Override
        public String toString() {
            // Never the name or the address.
            return "contribution " + id + " of uid " + uid;
        }
    }

    /** The contribution of {@code uid} with this id: here, else in the job store; empty when neither has it (or it is another uid's). */
    public Optional<Known> find(String id, String uid) {
        if (!Contribution.isValidId(id)) {
            return Optional.empty();
        }
        Optional<Contribution> local = jobs.findContribution(id);
        if (local.isPresent()) {
            return local.filter(c -> c.uid.equals(uid)).map(this::known);
        }
        return store.contribution(uid, id).map(record -> known(id, uid, record));
    }

    /** The same, for an answer to a client: the job store down is {@code 503} with {@code Retry-After}. */
    Optional<Known> read(String id, String uid) {
        try {
            return find(id, uid);
        } catch (PeerUnavailable | PeerRefused | java.io.UncheckedIOException e) {
            LOG.warn("a contribution's record could not be read: {}", Errors.summary(e));
            throw RequestRejected.retryAfter(503, "unavailable", "the service cannot read its records right now; try again shortly",
                    RETRY_SECONDS);
        }
    }

    Known known(Contribution c) {
        return new Known(c.contributionId, c.uid, c.name, c.email, c.status == null ? null : c.status.code,
                c.status == null ? null : c.status.value, c.receivedAt, c.updatedAt, c.storedAt, null, keys.all(c), c);
    }

    @SuppressWarnings("unchecked")
    static Known known(String id, String uid, Map<String, Object> record) {
        Contribution.Code code = null;
        String value = null;
        if (record.get("status") instanceof Map<?, ?> status) {
            try {
                code = status.get("code") instanceof String s ? Contribution.Code.valueOf(s) : null;
            } catch (IllegalArgumentException e) {
                code = null;
            }
            value = status.get("value") instanceof String s ? s : null;
        }
        List<String> objects = new ArrayList<>();
        if (record.get("objects") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String key) {
                    objects.add(key);
                }
            }
        }
        return new Known(id, uid, text(record, "name"), text(record, "email"), code, value, JobStore.submittedAt(record),
                time(record, "updated_at"), time(record, "stored_at"), time(record, "withdrawn_at"), objects, null);
    }

    /** What the job store keeps of a contribution: what a withdrawal needs once the local record is gone, and the status. */
    Map<String, Object> document(Contribution c) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", c.name);
        doc.put("email", c.email);
        doc.put("consents", new LinkedHashMap<>(c.consents));
        Map<String, Object> timestamp = new LinkedHashMap<>();
        timestamp.put("secs_since_epoch", c.receivedAt.getEpochSecond());
        timestamp.put("nanos_since_epoch", c.receivedAt.getNano());
        doc.put("timestamp", timestamp);
        doc.put("objects", keys.all(c));
        doc.put("status", ContributionStatus.status(c.status.code, c.status.value));
        doc.put("updated_at", Instant.now().toString());
        return doc;
    }

    /** What remains of a withdrawn contribution in the job store: its status, when it came and when it went. */
    static Map<String, Object> tombstone(Known known, String value, Instant now) {
        Map<String, Object> doc = new LinkedHashMap<>();
        if (known.receivedAt() != null) {
            Map<String, Object> timestamp = new LinkedHashMap<>();
            timestamp.put("secs_since_epoch", known.receivedAt().getEpochSecond());
            timestamp.put("nanos_since_epoch", known.receivedAt().getNano());
            doc.put("timestamp", timestamp);
        }
        doc.put("status", ContributionStatus.status(Contribution.Code.Withdrawn, value));
        doc.put("withdrawn_at", (known.withdrawnAt() == null ? now : known.withdrawnAt()).toString());
        doc.put("updated_at", now.toString());
        return doc;
    }

    private static String text(Map<String, Object> record, String field) {
        return record.get(field) instanceof String s ? s : null;
    }

    private static Instant time(Map<String, Object> record, String field) {
        try {
            return record.get(field) instanceof String s ? Instant.parse(s) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
