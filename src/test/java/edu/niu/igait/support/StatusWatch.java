package edu.niu.igait.support;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.database.DataSnapshot;
import com.google.firebase.database.DatabaseError;
import com.google.firebase.database.DatabaseReference;
import com.google.firebase.database.FirebaseDatabase;
import com.google.firebase.database.ValueEventListener;
import com.google.firebase.internal.FirebaseProcessEnvironment;

/**
 * Watches {@code users/<uid>/jobs/<n>/status} in the Realtime Database peer with firebase-admin
 * listeners, as the iGait app does: every value the database held, in order, including the short-lived
 * ones ({@code Metis unavailable, retrying} for 200 ms) that polling over REST would miss.
 *
 * <pre>{@code
 * try (StatusWatch watch = StatusWatch.open(peers)) {
 *     List<String> seen = watch.status("uid", 0);   // "Submitting: ...", "Queue: Currently in queue.", ...
 * }
 * }</pre>
 */
public final class StatusWatch implements AutoCloseable {

    private final FirebaseApp app;
    private final FirebaseDatabase database;
    private final List<Registration> registrations = new ArrayList<>();

    private record Registration(DatabaseReference ref, ValueEventListener listener) {
    }

    private StatusWatch(FirebaseApp app) {
        this.app = app;
        this.database = FirebaseDatabase.getInstance(app);
    }

    /** A client of the peers' database ({@link Peers#applyToThisJvm()} must have run). */
    public static StatusWatch open(Peers peers) {
        FirebaseProcessEnvironment.setenv("FIREBASE_DATABASE_EMULATOR_HOST", peers.firebase.emulatorHost());
        FirebaseOptions options = FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken("owner",
                        Date.from(Instant.now().plus(Duration.ofDays(365))))))
                .setDatabaseUrl(Peers.DATABASE_URL)
                .build();
        return new StatusWatch(FirebaseApp.initializeApp(options, "status-watch-" + UUID.randomUUID()));
    }

    /**
     * Starts recording the status of job {@code jobId} of {@code uid} (before the job exists is fine);
     * the returned list fills with {@code "<code>: <value>"} as the database changes.
     */
    public List<String> status(String uid, int jobId) {
        List<String> seen = new CopyOnWriteArrayList<>();
        DatabaseReference ref = database.getReference("users").child(uid).child("jobs").child(Integer.toString(jobId)).child("status");
        ValueEventListener listener = new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                if (snapshot.getValue() instanceof Map<?, ?> status) {
                    String entry = status.get("code") + ": " + status.get("value");
                    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(entry)) {
                        seen.add(entry);
                    }
                }
            }

            @Override
            public void onCancelled(DatabaseError error) {
                seen.add("cancelled: " + error.getMessage());
            }
        };
        ref.addValueEventListener(listener);
        registrations.add(new Registration(ref, listener));
        return seen;
    }

    @Override
    public void close() {
        for (Registration r : registrations) {
            r.ref.removeEventListener(r.listener);
        }
        app.delete();
    }
}
