package edu.niu.igait.contribute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import edu.niu.igait.failure.NotYet;
import edu.niu.igait.job.Contribution;
import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.MailTemplates;
import edu.niu.igait.s3.StoredObjects;
import edu.niu.igait.stages.StatusTexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a withdrawal ({@code routes/contribute/cw-withdraw.yaml}): it waits while its
 * contribution is still on its way through the contribution's stages (so that nothing is written to S3
 * after it has deleted), then deletes the contribution's objects in S3 (the videos and consent.json,
 * found from the local record or, once that is gone, the job store's), checks that S3 holds none of them,
 * mails the confirmation once (noted in its ticket: the record it is sent from goes next), and replaces
 * the job store's record by what remains of it (its status, when it came and went) and deletes the
 * local record and files. Every step may run again: a deleted object is deleted again for nothing.
 */
public class WithdrawalStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.contribute");

    private final ContributionRecords records;
    private final StatusTexts texts;
    private final StoredObjects stored;
    private final String contact;
    private final String support;

    public WithdrawalStage(ContributionRecords records, StatusTexts texts, StoredObjects stored, String contact, String support) {
        this.records = records;
        this.texts = texts;
        this.stored = stored;
        this.contact = contact;
        this.support = support;
    }

    /** A withdrawal being carried out: its ticket, and its contribution as known (null when nothing knows it any more). */
    public static final class Withdrawal {
        final Ticket ticket;
        final ContributionRecords.Known known;

        Withdrawal(Ticket ticket, ContributionRecords.Known known) {
            this.ticket = ticket;
            this.known = known;
        }

        /** There is something to delete: the contribution is known and not withdrawn yet. */
        public boolean isPending() {
            return known != null && known.code() != Contribution.Code.Withdrawn;
        }

        /** The confirmation is still to go: not sent yet, and there is an address to send it to. */
        public boolean isMailDue() {
            return ticket.withdrawal.mailedAt == null && isPending() && known.email() != null;
        }

        /** The contributor's address, for the confirmation. */
        public String getEmail() {
            return known == null ? null : known.email();
        }

        @Override
        public String toString() {
            return ticket.toString();
        }
    }

    /**
     * The withdrawal's contribution, once it has passed its own stages ({@link NotYet} while its ticket
     * is still in one: the stage is tried again with its back-off).
     */
    public Withdrawal begin(Ticket ticket) {
        String id = ticket.withdrawal.id;
        JobRepository jobs = records.jobs();
        String where = jobs.findTicket(Ticket.contributionName(id)).orElse(null);
        if (where != null && !where.startsWith(JobRepository.DONE) && !where.startsWith(JobRepository.FAILED + "/")) {
            throw new NotYet("contribution " + id + " is still in stage " + where + ": it is withdrawn once it has passed");
        }
        return new Withdrawal(ticket, records.find(id, ticket.withdrawal.uid).orElse(null));
    }

    /** The keys of the contribution's objects in S3: its videos and consent.json. */
    public List<String> objects(Withdrawal withdrawal) {
        return withdrawal.known.objects();
    }

    /** S3 holds none of the contribution's objects any more. */
    public void deleted(Withdrawal withdrawal) throws IOException {
        List<String> keys = withdrawal.known.objects();
        for (int i = 0; i < keys.size(); i++) {
            if (stored.size(keys.get(i)).isPresent()) {
                // Not the key: it holds the contributor's address.
                throw new IOException("object " + (i + 1) + " of " + keys.size() + " of contribution " + withdrawal.known.id()
                        + " is still in S3 after its deletion");
            }
        }
    }

    /** The values of contribution-withdrawn.html. */
    public Map<String, Object> values(Withdrawal withdrawal) {
        ContributionRecords.Known known = withdrawal.known;
        Contribution c = known.local() != null ? known.local() : new Contribution();
        c.contributionId = known.id();
        c.uid = known.uid();
        c.name = known.name();
        c.receivedAt = known.receivedAt();
        Map<String, Object> values = ContributionStage.values(c, contact, support);
        values.put("withdrawnAt", MailTemplates.time(Instant.now()));
        return values;
    }

    /** The confirmation went out: noted in the ticket, so that a repeated stage sends nothing. */
    public void mailed(Withdrawal withdrawal) {
        withdrawal.ticket.withdrawal.mailedAt = Instant.now();
        records.jobs().saveTicket(withdrawal.ticket);
        LOG.info(Subsystem.MAIL, "{}: confirmation mailed", withdrawal);
    }

    /**
     * What remains: the job store's record replaced by the contribution's status (Withdrawn), when it came
     * and when it went; the local record and files deleted, and the contribution's ticket if it waits in
     * {@code data/failed/} (nothing to retry any more).
     */
    public void forget(Withdrawal withdrawal) {
        String id = withdrawal.ticket.withdrawal.id;
        JobRepository jobs = records.jobs();
        Instant now = Instant.now();
        if (withdrawal.known != null) {
            records.store().putContribution(withdrawal.ticket.withdrawal.uid, id,
                    ContributionRecords.tombstone(withdrawal.known, texts.contribution(Contribution.Code.Withdrawn, null), now));
        }
        try {
            DurableFiles.deleteTree(jobs.contributionDir(id));
            String where = jobs.findTicket(Ticket.contributionName(id)).orElse("");
            if (where.startsWith(JobRepository.FAILED + "/")) {
                Files.deleteIfExists(jobs.failedDir(where.substring(JobRepository.FAILED.length() + 1)).resolve(Ticket.contributionName(id)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the local files of contribution " + id, e);
        }
        LOG.info(Subsystem.S3, "{}: done: {}", withdrawal, withdrawal.isPending()
                ? withdrawal.known.objects().size() + " objects deleted from S3, the record and the local files removed"
                : "nothing was left of it");
    }
}
