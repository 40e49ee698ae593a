package edu.niu.igait.completion;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import edu.niu.igait.job.Job;

/**
 * A completion as kept in {@code data/stages/5-complete/<name>}: what Metis reported, when and from
 * where, and while stage 5 retries, since when and why (the job's folder may be gone, so the ticket
 * carries its own retry state).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CompletionTicket {

    @JsonProperty("user_id")
    public String uid;
    @JsonProperty("job_id")
    public int jobId;
    @JsonProperty("status_code")
    public String statusCode;
    @JsonProperty("status_content")
    public String statusContent;
    @JsonProperty("received_at")
    public Instant receivedAt;
    public String caller;
    public Job.Retry retry;

    public CompletionRequest request() {
        return new CompletionRequest(uid, jobId, statusCode, statusContent);
    }
}
