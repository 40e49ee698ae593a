package edu.niu.igait.contribute;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import edu.niu.igait.failure.MalformedJob;
import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.MailTemplates;
import edu.niu.igait.s3.StoredObjects;
import edu.niu.igait.stages.ContributionStatus;
import edu.niu.igait.stages.StatusTexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a research contribution's stages ({@code routes/contribute/c1-store.yaml},
 * {@code c2-thanks.yaml}): its record in the job store, what goes to S3 under its fixed keys (the two
 * videos from local disk and {@code consent.json}, made from the record, the same bytes every time), the
 * check of what S3 holds, then status Stored and the local videos go; the thank-you mail, once, then
 * status Complete. A contribution whose withdrawal was asked for is neither stored nor thanked: the
 * withdrawal waits until it has passed these stages, then deletes whatever is there. Log lines name the
 * contribution and its uid, never the name, the address or a key (which holds the address).
 */
public class ContributionStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.contribute");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ContributionRecords records;
    private final ContributionStatus status;
    private final StatusTexts texts;
    private final StoredObjects stored;
    private final String contact;
    private final String support;

    /**
     * @param contact the research study's address ({@code igait.contribute.contact}), named in its mails
     * @param support the address for questions about the service ({@code igait.support-address})
     */
    public ContributionStage(ContributionRecords records, ContributionStatus status, StatusTexts texts, StoredObjects stored,
                             String contact, String support) {
        this.records = records;
        this.status = status;
        this.texts = texts;
        this.stored = stored;
        this.contact = contact;
        this.support = support;
    }

    /** Whether the contribution is still to be stored: not yet stored, and no withdrawal asked for. */
    public boolean due(Ticket ticket) {
        if (withdrawalAsked(ticket)) {
            LOG.info(Subsystem.S3, "{}: its withdrawal was asked for: not stored", ticket);
            return false;
        }
        return contribution(ticket).storedAt == null;
    }

    /** The record in the job store ({@code contributions/<uid>/<id>}), once; from then on its status is kept there too. */
    public void record(Ticket ticket) {
        Contribution c = contribution(ticket);
        if (c.recordedAt != null) {
            return;
        }
        records.store().putContribution(c.uid, c.contributionId, records.document(c));
        records.jobs().updateContribution(c.contributionId, x -> x.recordedAt = Instant.now());
    }

    /**
     * What to put in S3, each as {@code key}, {@code body} (the video's file, or consent.json's bytes),
     * {@code bytes} and {@code type}: the videos still on local disk, and consent.json.
     */
    public List<Map<String, Object>> objects(Ticket ticket) {
        Contribution c = contribution(ticket);
        Map<String, String> keys = records.keys().keys(c);
        List<Map<String, Object>> puts = new ArrayList<>();
        for (Map.Entry<String, Job.Video> video : c.videos().entrySet()) {
            Path file = records.jobs().contributionDir(c.contributionId).resolve(video.getValue().fileName(video.getKey()));
            if (Files.exists(file)) {
                puts.add(put(keys.get(video.getKey()), file.toFile(), video.getValue().bytes, null));
            } else if (c.storedAt == null) {
                throw new MalformedJob("the " + video.getKey() + " video of contribution " + c.contributionId + " is missing from disk");
            }
        }
        byte[] consent = consent(c);
        puts.add(put(keys.get("consent"), consent, consent.length, "application/json"));
        return puts;
    }

    private static Map<String, Object> put(String key, Object body, long bytes, String type) {
        Map<String, Object> put = new LinkedHashMap<>();
        put.put("key", key);
        put.put("body", body instanceof File f ? f : body);
        put.put("bytes", bytes);
        put.put("type", type);
        return put;
    }

    /**
     * consent.json: what the research group needs to show what was agreed, by whom and when: the
     * contribution, the uid, the name as typed, each consent field, the time of the request, the client's
     * address and the service's version. Made from the record alone, so every attempt writes the same bytes.
     */
    static byte[] consent(Contribution c) {
        Map<String, Object> consent = new LinkedHashMap<>();
        consent.put("contributionId", c.contributionId);
        consent.put("uid", c.uid);
        consent.put("name", c.name);
        Map<String, Boolean> consents = new LinkedHashMap<>();
        for (String field : ContributionForm.CONSENTS) {
            consents.put(field, Boolean.TRUE.equals(c.consents.get(field)));
        }
        consent.put("consents", consents);
        consent.put("requestedAt", c.receivedAt.toString());
        consent.put("client", c.client);
        consent.put("serviceVersion", c.version);
        try {
            return JSON.writeValueAsBytes(consent);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("consent.json cannot be written", e);
        }
    }

    /** S3 holds each object with the size it was sent with (a size found wrong sends the stage round again). */
    public void verify(Ticket ticket) throws IOException {
        Contribution c = contribution(ticket);
        Map<String, String> keys = records.keys().keys(c);
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("front", c.front.bytes);
        sizes.put("side", c.side.bytes);
        sizes.put("consent", (long) consent(c).length);
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            OptionalLong size = stored.size(keys.get(e.getKey()));
            if (size.isEmpty() || size.getAsLong() != e.getValue()) {
                // Not the key: it holds the contributor's address.
                throw new IOException("the " + e.getKey() + " object of contribution " + c.contributionId + " is "
                        + (size.isEmpty() ? "missing from S3" : size.getAsLong() + " bytes in S3, not " + e.getValue()) + " after its upload");
            }
        }
    }

    /** In S3 and checked: status Stored (noted before the local videos go: a crash in between finds them in S3). */
    public void stored(Ticket ticket) {
        Instant now = Instant.now();
        Contribution c = status.set(ticket.contribution.id, Contribution.Code.Stored, texts.contribution(Contribution.Code.Stored, null),
                x -> x.storedAt = x.storedAt == null ? now : x.storedAt, Map.of("stored_at", now.toString()));
        Path dir = records.jobs().contributionDir(c.contributionId);
        try {
            for (Map.Entry<String, Job.Video> video : c.videos().entrySet()) {
                Files.deleteIfExists(dir.resolve(video.getValue().fileName(video.getKey())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the local videos of contribution " + c.contributionId, e);
        }
        LOG.info(Subsystem.S3, "{}: stored in S3 with its consent record (3 objects, {} MB, {} ms)", ticket,
                (c.front.bytes + c.side.bytes) / (1024 * 1024), ticket.openedNanos == 0 ? 0 : (System.nanoTime() - ticket.openedNanos) / 1_000_000);
    }

    /** Whether the thank-you mail is still to go: not yet sent, and no withdrawal asked for. */
    public boolean thanksDue(Ticket ticket) {
        if (withdrawalAsked(ticket)) {
            LOG.info(Subsystem.MAIL, "{}: its withdrawal was asked for: no thank-you mail", ticket);
            return false;
        }
        Contribution c = contribution(ticket);
        if (c.thanksMailedAt != null) {
            LOG.info(Subsystem.MAIL, "{}: thanked already at {}: nothing sent", ticket, c.thanksMailedAt);
            return false;
        }
        return true;
    }

    /** Where the thank-you goes: the address of the contribution. */
    public String address(Ticket ticket) {
        return contribution(ticket).email;
    }

    /** The values of contribution-thanks.html. */
    public Map<String, Object> thanks(Ticket ticket) {
        return values(contribution(ticket), contact, support);
    }

    /** What the contribution's mails may show: the contributor's name, what they agreed to, when, and the addresses to write to. */
    static Map<String, Object> values(Contribution c, String contact, String support) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", c.name);
        v.put("contributionId", c.contributionId);
        v.put("uid", c.uid);
        v.put("receivedAt", MailTemplates.time(c.receivedAt));
        // Each consent field, true or false: the template says in words what each one means.
        for (String field : ContributionForm.CONSENTS) {
            v.put(field, Boolean.TRUE.equals(c.consents.get(field)));
        }
        v.put("contact", contact);
        v.put("support", support);
        return v;
    }

    /** The thank-you went out: noted, so that a repeated stage never sends it again; status Complete. */
    public void thanked(Ticket ticket) {
        Instant now = Instant.now();
        status.set(ticket.contribution.id, Contribution.Code.Complete, texts.contribution(Contribution.Code.Complete, null),
                x -> x.thanksMailedAt = x.thanksMailedAt == null ? now : x.thanksMailedAt);
        LOG.info(Subsystem.MAIL, "{}: thank-you mail sent", ticket);
    }

    private Contribution contribution(Ticket ticket) {
        return records.jobs().getContribution(ticket.contribution.id);
    }

    /** The contribution's withdrawal was asked for: its ticket is somewhere (JobRepository.findTicket). */
    private boolean withdrawalAsked(Ticket ticket) {
        return records.jobs().findTicket(Ticket.withdrawalName(ticket.contribution.id)).isPresent();
    }
}
