package edu.niu.igait.app;

import edu.niu.igait.config.Settings;
import edu.niu.igait.contribute.ContributionForm;
import edu.niu.igait.contribute.ContributionRecords;
import edu.niu.igait.contribute.ContributionStage;
import edu.niu.igait.contribute.Contributions;
import edu.niu.igait.contribute.ResearchKeys;
import edu.niu.igait.contribute.WithdrawalStage;
import edu.niu.igait.http.ClientAddress;
import edu.niu.igait.intake.UploadValidator;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.s3.StoredObjects;
import edu.niu.igait.stages.ContributionStatus;
import edu.niu.igait.stages.StatusTexts;
import edu.niu.igait.store.JobStore;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The beans of the research contributions (routes/contribute/): the form's checks (the videos checked
 * as an upload's), the contributor's requests, and the steps of the stages c1-store, c2-thanks and
 * cw-withdraw. Bound after the pipeline's beans, whose peer clients, texts and status they share.
 */
final class ContributionBeans {

    /** The kind of request under {@code requests/} in the job store that notes a replica's contributions. */
    static final String REQUESTS = "contribution";
    /**
     * With several replicas, the other replicas' contributions (HttpBeans counts them with the uploads against
     * {@code igait.limits.per-user}); each replica notes its own there as it accepts them.
     */
    static final String COUNTED_ELSEWHERE = "contributionsElsewhere";

    private ContributionBeans() {
    }

    static void bind(CamelContext context, Settings settings, JobRepository jobs) {
        Registry registry = context.getRegistry();
        JobStore store = registry.lookupByNameAndType("jobStore", JobStore.class);
        StatusTexts texts = registry.lookupByNameAndType("statusTexts", StatusTexts.class);
        ContributionStatus status = registry.lookupByNameAndType("contributionStatus", ContributionStatus.class);
        StoredObjects stored = new StoredObjects(registry.lookupByNameAndType("s3Client", S3Client.class), settings.get("igait.s3.bucket"));
        String contact = settings.required("igait.contribute.contact", "the research study's address, named in the contributors' mails");
        String support = settings.required("igait.support-address", "the address parents may write to, shown in every mail");

        ResearchKeys keys = new ResearchKeys(settings.get("igait.contribute.s3-prefix"));
        ContributionRecords records = new ContributionRecords(jobs, store, keys);
        registry.bind("contributionForm", new ContributionForm(
                registry.lookupByNameAndType("uploadValidator", UploadValidator.class).videos(),
                settings.get("igait.contribute.required-consents"),
                registry.lookupByNameAndType(HttpBeans.CLIENT_ADDRESS, ClientAddress.class)));
        Contributions contributions = new Contributions(records, texts);
        StoredCounts elsewhere = registry.lookupByNameAndType(COUNTED_ELSEWHERE, StoredCounts.class);
        if (elsewhere != null) {
            contributions.countElsewhere(elsewhere::note);
        }
        registry.bind("contributions", contributions);
        registry.bind("contribution", new ContributionStage(records, status, texts, stored, contact, support));
        registry.bind("withdrawal", new WithdrawalStage(records, texts, stored, contact, support));
    }
}
