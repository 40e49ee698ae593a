package edu.niu.igait.stages;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import edu.niu.igait.job.Job;
import edu.niu.igait.job.JobRepository;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.Ticket;
import edu.niu.igait.logging.Subsystem;
import edu.niu.igait.mail.MailTemplates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stage 4-notify: the welcome mail to the address given with the upload, once. */
public class NotifyStage {

    private static final Logger LOG = LoggerFactory.getLogger("igait.stages");

    private final JobRepository jobs;
    private final JobStatus status;
    private final StatusTexts texts;
    private final String support;

    public NotifyStage(JobRepository jobs, JobStatus status, StatusTexts texts, String support) {
        this.jobs = jobs;
        this.status = status;
        this.texts = texts;
        this.support = support;
    }

    public boolean welcomeSent(Ticket ticket) {
        return jobs.get(ticket.submissionId).welcomeMailSentAt != null;
    }

    /** Where the welcome mail goes: the address given with the upload. */
    public String address(Ticket ticket) {
        return jobs.get(ticket.submissionId).email;
    }

    /** The values of the welcome mail (the route fills welcome.html with them). */
    public Map<String, Object> welcome(Ticket ticket) {
        return values(jobs.get(ticket.submissionId), support);
    }

    /** The mail went out: noted, so a repeated stage never sends it again. */
    public void sent(Ticket ticket) {
        Job job = jobs.update(ticket.submissionId, j -> j.welcomeMailSentAt = Instant.now());
        // Retries may have told the app "the mail server is unavailable, retrying" (in the store at least: a
        // crash can come between the store and job.json): the mail is out, so show the job as Metis has
        // it again. A result that came meanwhile stays (JobStatus keeps final statuses), and so does the
        // note that the result is overdue.
        if (job.status != null && job.status.code == StatusCode.Processing && job.pbsId != null && job.overdueReportedAt == null) {
            status.set(job.submissionId, StatusCode.Processing, texts.processing(job.pbsId), ticket.stage);
        }
        LOG.info(Subsystem.MAIL, "{}: welcome mail sent ({} ms)", ticket, Tickets.elapsed(ticket).toMillis());
    }

    /** What the welcome template may show: the submission as the parent sent it, and the ids. */
    static Map<String, Object> values(Job job, String support) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("submittedAt", MailTemplates.time(job.submittedAt));
        v.put("age", job.age);
        v.put("ethnicity", job.ethnicity);
        v.put("sex", job.sex);
        v.put("height", job.height);
        v.put("weight", job.weight);
        v.put("uid", job.uid);
        v.put("jobId", job.jobId);
        v.put("submissionId", job.submissionId);
        v.put("support", support);
        return v;
    }
}
