package edu.niu.igait.records;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import edu.niu.igait.http.RequestRejected;
import edu.niu.igait.s3.JobObjects;

/**
 * {@code GET /api/v1/submissions/<sid>/files}: presigned GET links, valid {@code igait.links.api-validity},
 * to the videos S3 holds for the job (the two as uploaded and, once Metis put them there, the two
 * keyframed ones), each with its kind, name, size and expiry. What is not there is not given. The job's
 * owner, or an administrator, only.
 */
public class JobFiles {

    private final Records records;
    private final Access access;
    private final JobObjects objects;
    private final Duration validity;

    public JobFiles(Records records, Access access, JobObjects objects, Duration validity) {
        this.records = records;
        this.access = access;
        this.objects = objects;
        this.validity = validity;
    }

    public Map<String, Object> files(String sid, String tokenUid, Map<String, List<String>> query) {
        String caller = Access.caller(tokenUid, query);
        Records.Found found = records.find(sid)
                .orElseThrow(() -> new RequestRejected(404, "not_found", "submissionId", "no submission with this id"));
        access.check(caller, found.uid(), "submissionId", "this submission");
        Instant expires = Instant.now().plus(validity);
        List<Map<String, Object>> files = new ArrayList<>();
        // Before stage 1 has given it a job id, the job has nothing in S3.
        if (found.jobId() != null) {
            for (JobObjects.Video video : Records.reading(() -> objects.videos(found.uid(), found.jobId()))) {
                Map<String, Object> file = new LinkedHashMap<>();
                file.put("kind", video.kind());
                file.put("name", video.name());
                file.put("bytes", video.bytes());
                file.put("url", objects.link(video.key(), validity));
                file.put("expiresAt", expires.toString());
                files.add(file);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("submissionId", found.sid());
        body.put("uid", found.uid());
        if (found.jobId() != null) {
            body.put("jobId", found.jobId());
        }
        body.put("files", files);
        return body;
    }
}
