package edu.niu.igait.completion;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.database.DataSnapshot;
import com.google.firebase.database.DatabaseError;
import com.google.firebase.database.DatabaseReference;
import com.google.firebase.database.FirebaseDatabase;
import com.google.firebase.database.ValueEventListener;

import edu.niu.igait.support.Peers;

/**
 * Watches {@code users/<uid>/jobs/<jobId>/status} as the app does (a firebase-admin listener on its
 * own connection), and keeps every value it sees: the app's view of the status updates.
 */
final class StatusWatch implements AutoCloseable {

    private final FirebaseApp app;
    private final DatabaseReference ref;
    private final ValueEventListener listener;
    private final List<String> seen = new ArrayList<>();

    StatusWatch(String uid, int jobId) {
        FirebaseOptions options = FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken("test", Date.from(Instant.now().plus(Duration.ofDays(1))))))
                .setDatabaseUrl(Peers.DATABASE_URL)
                .build();
        app = FirebaseApp.initializeApp(options, "status-watch-" + UUID.randomUUID());
        ref = FirebaseDatabase.getInstance(app).getReference("users").child(uid).child("jobs").child(Integer.toString(jobId)).child("status");
        listener = new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                Object code = snapshot.child("code").getValue();
                Object value = snapshot.child("value").getValue();
                synchronized (seen) {
                    seen.add(code + ": " + value);
                }
            }

            @Override
            public void onCancelled(DatabaseError error) {
                synchronized (seen) {
                    seen.add("cancelled: " + error.getMessage());
                }
            }
        };
        ref.addValueEventListener(listener);
    }

    /** Every status seen so far, oldest first, as {@code code: value}. */
    List<String> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    long count(String code) {
        return seen().stream().filter(s -> s.startsWith(code + ":")).count();
    }

    @Override
    public void close() {
        ref.removeEventListener(listener);
        app.delete();
    }
}
