package edu.niu.igait.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.database.DataSnapshot;
import com.google.firebase.database.DatabaseError;
import com.google.firebase.database.DatabaseReference;
import com.google.firebase.database.FirebaseDatabase;
import com.google.firebase.database.MutableData;
import com.google.firebase.database.Transaction;
import com.google.firebase.database.ValueEventListener;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.failure.PeerRefused;
import edu.niu.igait.failure.PeerUnavailable;
import edu.niu.igait.job.Job;
import edu.niu.igait.job.StatusCode;
import edu.niu.igait.job.SubmissionId;
import edu.niu.igait.job.Uid;

/**
 * The Firebase Realtime Database through firebase-admin. Credentials come from
 * {@code GOOGLE_APPLICATION_CREDENTIALS} (or the platform's default); with
 * {@code FIREBASE_DATABASE_EMULATOR_HOST} set the SDK talks to that emulator instead.
 */
public class FirebaseJobStore implements JobStore {

    static final String PEER = "Firebase";

    private final FirebaseApp app;
    private final FirebaseDatabase database;
    private final long timeoutMillis;
    /**
     * The writes of one user's node, one at a time from this service: a transaction on users/<uid>
     * (the job id's allocation) is retried by the database whenever anything under it changes, so
     * the service's own status writes for that user's other jobs would otherwise make it fail with
     * "too many retries" in a burst of one user's jobs.
     */
    private final Map<String, Object> userLocks = new java.util.concurrent.ConcurrentHashMap<>();

    public FirebaseJobStore(String databaseUrl, long timeoutMillis) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            throw new StartupException("igait.firebase.database-url (or env FIREBASE_DATABASE_URL) is required when igait.store=firebase");
        }
        GoogleCredentials credentials;
        if (System.getenv("FIREBASE_DATABASE_EMULATOR_HOST") != null
                || com.google.firebase.internal.FirebaseProcessEnvironment.getenv("FIREBASE_DATABASE_EMULATOR_HOST") != null) {
            // The SDK replaces these with the emulator's own credentials.
            credentials = GoogleCredentials.create(new AccessToken("emulator", java.util.Date.from(java.time.Instant.now().plus(java.time.Duration.ofDays(3650)))));
        } else {
            try {
                credentials = GoogleCredentials.getApplicationDefault();
            } catch (java.io.IOException e) {
                throw new StartupException("Firebase credentials not found: set GOOGLE_APPLICATION_CREDENTIALS to the service account file ("
                        + e.getMessage() + ")", e);
            }
        }
        FirebaseOptions options = FirebaseOptions.builder()
                .setCredentials(credentials)
                .setDatabaseUrl(databaseUrl)
                .build();
        // A name of our own: tests start several services in one JVM.
        this.app = FirebaseApp.initializeApp(options, "igait-" + UUID.randomUUID());
        this.database = FirebaseDatabase.getInstance(app);
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name() {
        return "firebase";
    }

    @Override
    public int record(Job job) {
        synchronized (userLock(job.uid)) {
            DatabaseReference user = database.getReference("users").child(job.uid);
            Map<String, Object> doc = JobStore.document(job);
            CompletableFuture<Integer> result = new CompletableFuture<>();
            int[] index = new int[1];
            user.runTransaction(new Transaction.Handler() {
                @Override
                public Transaction.Result doTransaction(MutableData current) {
                    current.child("uid").setValue(job.uid);
                    MutableData jobs = current.child("jobs");
                    int next = 0;
                    for (MutableData existing : jobs.getChildren()) {
                        int i = Integer.parseInt(existing.getKey());
                        Object sid = existing.child("submission_id").getValue();
                        if (job.submissionId.equals(sid)) {
                            index[0] = i;
                            return Transaction.success(current);
                        }
                        next = Math.max(next, i + 1);
                    }
                    jobs.child(Integer.toString(next)).setValue(doc);
                    index[0] = next;
                    return Transaction.success(current);
                }

                @Override
                public void onComplete(DatabaseError error, boolean committed, DataSnapshot snapshot) {
                    if (error != null) {
                        result.completeExceptionally(failure(error));
                    } else if (!committed) {
                        result.completeExceptionally(new IllegalStateException("transaction not committed"));
                    } else {
                        result.complete(index[0]);
                    }
                }
            });
            int jobId = await(result, "record the job of uid " + job.uid);
            // Not in the transaction: it holds users/<uid> only. A crash before this write leaves the
            // ticket in 1-record, and the repeat finds the job and writes the index then.
            CompletableFuture<Void> indexed = new CompletableFuture<>();
            database.getReference(SUBMISSIONS).child(job.submissionId).setValue(JobStore.index(job.uid, jobId), completing(indexed));
            await(indexed, "index submission " + job.submissionId);
            return jobId;
        }
    }

    @Override
    public Optional<SubmissionRef> submission(String sid) {
        if (!SubmissionId.isValid(sid)) {
            return Optional.empty();
        }
        return JobStore.ref(value(database.getReference(SUBMISSIONS).child(sid)));
    }

    @Override
    public boolean administrator(String uid) {
        if (!Uid.isValid(uid)) {
            return false;
        }
        return Boolean.TRUE.equals(value(database.getReference("users").child(uid).child("administrator")));
    }

    @Override
    public boolean setStatus(String uid, int jobId, StatusCode code, String value) {
        synchronized (userLock(uid)) {
            DatabaseReference ref = database.getReference("users").child(uid).child("jobs").child(Integer.toString(jobId)).child("status");
            if (code.isFinal()) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                ref.setValue(JobStore.status(code, value), completing(done));
                await(done, "set the status of job " + jobId);
                return true;
            }
            // A transaction, so that a result written meanwhile by stage 5 is never replaced.
            CompletableFuture<Boolean> result = new CompletableFuture<>();
            boolean[] set = new boolean[1];
            ref.runTransaction(new Transaction.Handler() {
                @Override
                public Transaction.Result doTransaction(MutableData current) {
                    StatusCode stored = StatusCode.parse(current.child("code").getValue());
                    if (stored != null && stored.isFinal()) {
                        set[0] = false;
                        return Transaction.abort();
                    }
                    current.setValue(JobStore.status(code, value));
                    set[0] = true;
                    return Transaction.success(current);
                }

                @Override
                public void onComplete(DatabaseError error, boolean committed, DataSnapshot snapshot) {
                    if (error != null) {
                        result.completeExceptionally(failure(error));
                    } else {
                        result.complete(committed && set[0]);
                    }
                }
            });
            return await(result, "set the status of job " + jobId);
    
        }
    }

    @Override
    public void setFields(String uid, int jobId, Map<String, Object> fields) {
        synchronized (userLock(uid)) {
            DatabaseReference ref = database.getReference("users").child(uid).child("jobs").child(Integer.toString(jobId));
            CompletableFuture<Void> done = new CompletableFuture<>();
            ref.updateChildren(fields, completing(done));
            await(done, "update job " + jobId);
    
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> update(String uid, int jobId, java.util.function.UnaryOperator<Map<String, Object>> change) {
        synchronized (userLock(uid)) {
            DatabaseReference ref = database.getReference("users").child(uid).child("jobs").child(Integer.toString(jobId));
            CompletableFuture<Optional<Map<String, Object>>> result = new CompletableFuture<>();
            ref.runTransaction(new Transaction.Handler() {
                @Override
                public Transaction.Result doTransaction(MutableData current) {
                    // The first run may see the SDK's cache (nothing yet): the server then refuses the
                    // unchanged value if it holds the job, and the transaction runs again with it.
                    if (!(current.getValue() instanceof Map<?, ?> stored)) {
                        return Transaction.success(current);
                    }
                    Map<String, Object> fields = change.apply(new LinkedHashMap<>((Map<String, Object>) stored));
                    if (fields == null || fields.isEmpty()) {
                        return Transaction.abort();
                    }
                    fields.forEach((name, value) -> current.child(name).setValue(value));
                    return Transaction.success(current);
                }

                @Override
                public void onComplete(DatabaseError error, boolean committed, DataSnapshot snapshot) {
                    if (error != null) {
                        result.completeExceptionally(failure(error));
                    } else {
                        Object value = snapshot == null ? null : snapshot.getValue();
                        result.complete(value instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty());
                    }
                }
            });
            return await(result, "update job " + jobId + " in a transaction");
        }
    }

    @Override
    public void noteRequest(String kind, String uid, String key, Map<String, Object> entry) {
        if (!JobStore.isRequestPath(kind, uid, key)) {
            throw new IllegalArgumentException("not a request's place: " + kind);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        database.getReference(REQUESTS).child(kind).child(uid).child(key).setValue(entry, completing(done));
        await(done, "note a request of uid " + uid);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> requests(String kind, String uid) {
        if (!JobStore.isRequestPath(kind, uid, null)) {
            return Map.of();
        }
        Object value = value(database.getReference(REQUESTS).child(kind).child(uid));
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @Override
    public Optional<Map<String, Object>> job(String uid, int jobId) {
        return read(database.getReference("users").child(uid).child("jobs").child(Integer.toString(jobId)));
    }

    @Override
    public Optional<Map<String, Object>> user(String uid) {
        return read(database.getReference("users").child(uid));
    }

    @Override
    public Optional<Map<String, Object>> contribution(String uid, String id) {
        return read(contributionRef(uid, id));
    }

    @Override
    public void putContribution(String uid, String id, Map<String, Object> record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        contributionRef(uid, id).setValue(record, completing(done));
        await(done, "record contribution " + id);
    }

    @Override
    public void updateContribution(String uid, String id, Map<String, Object> fields) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        contributionRef(uid, id).updateChildren(fields, completing(done));
        await(done, "update contribution " + id);
    }

    private DatabaseReference contributionRef(String uid, String id) {
        if (!Uid.isValid(uid) || !edu.niu.igait.job.Contribution.isValidId(id)) {
            throw new IllegalArgumentException("not a uid and contribution id");
        }
        return database.getReference(CONTRIBUTIONS).child(uid).child(id);
    }

    @SuppressWarnings("unchecked")
    private Optional<Map<String, Object>> read(DatabaseReference ref) {
        Object value = value(ref);
        if (value instanceof Map<?, ?> map) {
            return Optional.of(normalise((Map<String, Object>) map));
        }
        return Optional.empty();
    }

    /** The value at {@code ref} as the SDK gives it (a map, a list, a string, a number, a boolean), or null. */
    private Object value(DatabaseReference ref) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        ref.addListenerForSingleValueEvent(new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                result.complete(snapshot.getValue());
            }

            @Override
            public void onCancelled(DatabaseError error) {
                result.completeExceptionally(failure(error));
            }
        });
        return await(result, "read " + ref.getPath());
    }

    /** Arrays come back as lists when dense and as maps with numeric keys when not: give lists. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> normalise(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>(map);
        Object jobs = out.get("jobs");
        if (jobs instanceof Map<?, ?> m) {
            List<Object> list = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                int i = Integer.parseInt(e.getKey().toString());
                while (list.size() <= i) {
                    list.add(null);
                }
                list.set(i, e.getValue());
            }
            out.put("jobs", list);
        }
        return out;
    }

    private static DatabaseReference.CompletionListener completing(CompletableFuture<Void> done) {
        return (error, ref) -> {
            if (error != null) {
                done.completeExceptionally(failure(error));
            } else {
                done.complete(null);
            }
        };
    }

    /** The database's refusal in the pipeline's terms: denied access is for good, anything else may pass. */
    private static RuntimeException failure(DatabaseError error) {
        if (error.getCode() == DatabaseError.PERMISSION_DENIED) {
            return new PeerRefused(PEER, "Firebase denied access (check the service account's rights and the database rules)",
                    error.toException());
        }
        return new PeerUnavailable(PEER, "Firebase failed: " + error.getMessage(), error.toException());
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new PeerUnavailable(PEER, "Firebase did not answer within " + timeoutMillis + " ms to " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r && (r instanceof PeerRefused || r instanceof PeerUnavailable)) {
                throw r;
            }
            throw new PeerUnavailable(PEER, "Firebase failed to " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnavailable(PEER, "interrupted while waiting for Firebase to " + what, e);
        }
    }

    private Object userLock(String uid) {
        return userLocks.computeIfAbsent(uid, k -> new Object());
    }

    @Override
    public void close() {
        app.delete();
    }
}
