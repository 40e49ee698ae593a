package edu.niu.igait.store;

import edu.niu.igait.job.Uid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import edu.niu.igait.job.DurableFiles;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;

/**
 * An embedded, durable job store with the Realtime Database's tree ({@code users/<uid>} with its
 * {@code jobs} array, the index {@code submissions/<sid>}, and {@code contributions/<uid>/<id>}) for
 * running without a Firebase project. One JSON file per uid ({@code users/<uid>.json}), per indexed
 * submission ({@code submissions/<sid>.json}) and per contribution ({@code contributions/<uid>/<id>.json}),
 * each replaced atomically; a lock per uid gives the same guarantee as a transaction within this process.
 */
public class LocalJobStore implements JobStore {

    private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() { };

    private final Path usersDir;
    private final Path submissionsDir;
    private final Path contributionsDir;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public LocalJobStore(Path dir) {
        this.usersDir = dir.resolve("users");
        this.submissionsDir = dir.resolve(SUBMISSIONS);
        this.contributionsDir = dir.resolve(CONTRIBUTIONS);
        try {
            DurableFiles.createDirectories(usersDir);
            DurableFiles.createDirectories(submissionsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the local job store in " + dir, e);
        }
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    @SuppressWarnings("unchecked")
    public int record(Job job) {
        synchronized (lock(job.uid)) {
            Map<String, Object> user = read(job.uid).orElseGet(LinkedHashMap::new);
            user.put("uid", job.uid);
            List<Object> jobs = (List<Object>) user.computeIfAbsent("jobs", k -> new ArrayList<>());
            for (int i = 0; i < jobs.size(); i++) {
                if (jobs.get(i) instanceof Map<?, ?> m && job.submissionId.equals(m.get("submission_id"))) {
                    index(job.submissionId, job.uid, i);
                    return i;
                }
            }
            jobs.add(JobStore.document(job));
            write(job.uid, user);
            index(job.submissionId, job.uid, jobs.size() - 1);
            return jobs.size() - 1;
        }
    }

    /** {@code submissions/<sid>.json}, as the Realtime Database's {@code submissions/<sid>}: written after the user's file, again on a repeat. */
    private void index(String sid, String uid, int jobId) {
        try {
            DurableFiles.write(indexFile(sid), json.writeValueAsBytes(JobStore.index(uid, jobId)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the local store's index of a submission", e);
        }
    }

    @Override
    public Optional<SubmissionRef> submission(String sid) {
        if (!SubmissionId.isValid(sid) || !Files.exists(indexFile(sid))) {
            return Optional.empty();
        }
        try {
            return JobStore.ref(json.readValue(indexFile(sid).toFile(), TREE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + indexFile(sid), e);
        }
    }

    @Override
    public boolean administrator(String uid) {
        return Uid.isValid(uid) && read(uid).map(u -> Boolean.TRUE.equals(u.get("administrator"))).orElse(false);
    }

    private Path indexFile(String sid) {
        if (!SubmissionId.isValid(sid)) {
            throw new IllegalArgumentException("not a submission id");
        }
        return submissionsDir.resolve(sid + ".json");
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean setStatus(String uid, int jobId, StatusCode code, String value) {
        synchronized (lock(uid)) {
            Map<String, Object> job = job(uid, jobId).orElseThrow(() -> new IllegalStateException("no job " + jobId + " for this uid in the local store"));
            Object stored = job.get("status") instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("code") : null;
            StatusCode current = StatusCode.parse(stored);
            if (current != null && current.isFinal() && !code.isFinal()) {
                return false;
            }
            setFields(uid, jobId, Map.of("status", JobStore.status(code, value)));
            return true;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void setFields(String uid, int jobId, Map<String, Object> fields) {
        synchronized (lock(uid)) {
            Map<String, Object> user = read(uid).orElseThrow(() -> new IllegalStateException("no user " + uid + " in the local store"));
            List<Object> jobs = (List<Object>) user.get("jobs");
            if (jobs == null || jobId >= jobs.size() || !(jobs.get(jobId) instanceof Map)) {
                throw new IllegalStateException("no job " + jobId + " for this uid in the local store");
            }
            ((Map<String, Object>) jobs.get(jobId)).putAll(fields);
            write(uid, user);
        }
    }

    @Override
    public void noteRequest(String kind, String uid, String key, Map<String, Object> entry) {
        if (!JobStore.isRequestPath(kind, uid, key)) {
            throw new IllegalArgumentException("not a request's place: " + kind);
        }
        synchronized (lock(uid)) {
            Map<String, Object> noted = new LinkedHashMap<>(requests(kind, uid));
            noted.put(key, entry);
            try {
                Path file = requestsFile(kind, uid);
                DurableFiles.createDirectories(file.getParent());
                DurableFiles.write(file, json.writeValueAsBytes(noted));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the local store's requests of a user", e);
            }
        }
    }

    @Override
    public Map<String, Object> requests(String kind, String uid) {
        if (!JobStore.isRequestPath(kind, uid, null) || !Files.exists(requestsFile(kind, uid))) {
            return Map.of();
        }
        try {
            return json.readValue(requestsFile(kind, uid).toFile(), TREE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + requestsFile(kind, uid), e);
        }
    }

    /** {@code requests/<kind>/<uid>.json}, as the Realtime Database's {@code requests/<kind>/<uid>}. */
    private Path requestsFile(String kind, String uid) {
        return usersDir.resolveSibling(REQUESTS).resolve(kind).resolve(uid + ".json");
    }

    @Override
    public Optional<Map<String, Object>> update(String uid, int jobId, java.util.function.UnaryOperator<Map<String, Object>> change) {
        synchronized (lock(uid)) {
            Optional<Map<String, Object>> job = job(uid, jobId);
            if (job.isEmpty()) {
                return job;
            }
            Map<String, Object> fields = change.apply(new LinkedHashMap<>(job.get()));
            if (fields == null || fields.isEmpty()) {
                return job;
            }
            setFields(uid, jobId, fields);
            return job(uid, jobId);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> job(String uid, int jobId) {
        return read(uid).map(u -> (List<Object>) u.get("jobs"))
                .filter(jobs -> jobId >= 0 && jobId < jobs.size())
                .map(jobs -> (Map<String, Object>) jobs.get(jobId));
    }

    @Override
    public Optional<Map<String, Object>> user(String uid) {
        return read(uid);
    }

    @Override
    public Optional<Map<String, Object>> contribution(String uid, String id) {
        Path file = contributionFile(uid, id);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), TREE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the local store's record of a contribution", e);
        }
    }

    @Override
    public void putContribution(String uid, String id, Map<String, Object> record) {
        synchronized (lock(uid)) {
            try {
                DurableFiles.write(contributionFile(uid, id), json.writeValueAsBytes(record));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the local store's record of a contribution", e);
            }
        }
    }

    @Override
    public void updateContribution(String uid, String id, Map<String, Object> fields) {
        synchronized (lock(uid)) {
            Map<String, Object> record = contribution(uid, id).orElseGet(LinkedHashMap::new);
            record.putAll(fields);
            putContribution(uid, id, record);
        }
    }

    private Path contributionFile(String uid, String id) {
        if (!Uid.isValid(uid) || !edu.niu.igait.job.Contribution.isValidId(id)) {
            throw new IllegalArgumentException("not a uid and contribution id");
        }
        return contributionsDir.resolve(uid).resolve(id + ".json");
    }

    private Object lock(String uid) {
        return locks.computeIfAbsent(uid, k -> new Object());
    }

    private Path file(String uid) {
        if (!Uid.isValid(uid)) {
            throw new IllegalArgumentException("not a uid");
        }
        return usersDir.resolve(uid + ".json");
    }

    private Optional<Map<String, Object>> read(String uid) {
        Path file = file(uid);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), TREE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void write(String uid, Map<String, Object> user) {
        try {
            DurableFiles.write(file(uid), json.writeValueAsBytes(user));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the local store file of a user", e);
        }
    }
}
