package edu.niu.igait.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A parent's request for their history by mail ({@code POST /api/v1/historical_submissions}), as its
 * ticket keeps it: whose, the filters (named as the form names them), which links to add, when it came,
 * the time that names its report in S3, and once sent, when the mail went out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HistoryRequest {

    public String uid;
    public Integer entries;
    @JsonProperty("result_type")
    public String resultType;
    @JsonProperty("start_timestamp")
    public Long startTimestamp;
    @JsonProperty("end_timestamp")
    public Long endTimestamp;
    @JsonProperty("include_original")
    public boolean includeOriginal;
    @JsonProperty("include_skeleton")
    public boolean includeSkeleton;
    @JsonProperty("received_at")
    public Instant receivedAt;
    /** UNIX seconds: the report is {@code <uid>/history_requests/<report_seconds>.pdf}, the same key on every attempt. */
    @JsonProperty("report_seconds")
    public long reportSeconds;
    /** When the mail went out: a repeated stage (a crash before the hand-off) sends nothing. */
    @JsonProperty("mailed_at")
    public Instant mailedAt;
}
