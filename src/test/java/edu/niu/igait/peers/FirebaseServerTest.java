package edu.niu.igait.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
import com.google.firebase.internal.FirebaseProcessEnvironment;

import edu.niu.igait.dev.Ports;

class FirebaseServerTest {

    static final Duration T = Duration.ofSeconds(15);
    static FirebaseServer firebase;
    final List<FirebaseApp> apps = new ArrayList<>();

    @BeforeAll
    static void start() {
        firebase = new FirebaseServer(0).start();
    }

    @AfterAll
    static void stop() {
        FirebaseProcessEnvironment.clearCache();
        if (firebase != null) {
            firebase.close();
        }
    }

    @AfterEach
    void deleteApps() throws Exception {
        apps.forEach(FirebaseApp::delete);
        apps.clear();
        FirebaseProcessEnvironment.clearCache();
        if (firebase.isRunning()) {
            firebase.delete("");
        }
    }

    /** The way the application connects: production-form URL plus FIREBASE_DATABASE_EMULATOR_HOST. */
    FirebaseDatabase viaEmulatorHost(String name) {
        FirebaseProcessEnvironment.setenv("FIREBASE_DATABASE_EMULATOR_HOST", firebase.emulatorHost());
        FirebaseOptions options = FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken("anything", expiry())))
                .setDatabaseUrl("https://igait-test-default-rtdb.firebaseio.com")
                .build();
        FirebaseApp app = FirebaseApp.initializeApp(options, name);
        apps.add(app);
        return FirebaseDatabase.getInstance(app);
    }

    @Test
    void adminSdkWritesAndReadsThroughTheEmulatorHostVariable() throws Exception {
        DatabaseReference user = viaEmulatorHost("env").getReference("users/u1");
        user.setValueAsync(Map.of("uid", "u1", "jobs", List.of(Map.of("age", 5, "status",
                Map.of("code", "Submitting", "value", "")))))
                .get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(firebase.get("users/u1"))
                .isEqualTo("{\"jobs\":[{\"age\":5,\"status\":{\"code\":\"Submitting\",\"value\":\"\"}}],\"uid\":\"u1\"}");

        user.child("jobs/0/status").updateChildrenAsync(Map.of("code", "Queue")).get(T.toSeconds(), TimeUnit.SECONDS);
        DataSnapshot read = readOnce(user);
        assertThat(read.child("jobs/0/status/code").getValue()).isEqualTo("Queue");
        assertThat(read.child("jobs/0/age").getValue()).isEqualTo(5L);

        // a REST write reaches the SDK's listener
        CountDownLatch seen = new CountDownLatch(1);
        ValueEventListener listener = user.child("jobs/0/status/code").addValueEventListener(new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                if ("Complete".equals(snapshot.getValue())) {
                    seen.countDown();
                }
            }

            @Override
            public void onCancelled(DatabaseError error) {
            }
        });
        firebase.put("users/u1/jobs/0/status/code", "\"Complete\"");
        assertThat(seen.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
        user.child("jobs/0/status/code").removeEventListener(listener);
    }

    @Test
    void adminSdkTakesTheEmulatorUrlDirectlyWithoutTheVariable() throws Exception {
        FirebaseOptions options = FirebaseOptions.builder()
                .setCredentials(GoogleCredentials.create(new AccessToken("owner", expiry())))
                .setDatabaseUrl(firebase.databaseUrl())
                .build();
        FirebaseApp app = FirebaseApp.initializeApp(options, "direct");
        apps.add(app);
        DatabaseReference ref = FirebaseDatabase.getInstance(app).getReference("users/u9/uid");
        ref.setValueAsync("u9").get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(firebase.get("users/u9")).isEqualTo("{\"uid\":\"u9\"}");
    }

    @Test
    void transactionsFromTenThreadsOnTwoConnectionsAllocateIndicesZeroToNineOnce() throws Exception {
        List<DatabaseReference> users = List.of(
                viaEmulatorHost("tx-a").getReference("users/u1"),
                viaEmulatorHost("tx-b").getReference("users/u1"));
        List<CompletableFuture<Long>> allocated = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 10; i++) {
            int thread = i;
            CompletableFuture<Long> index = new CompletableFuture<>();
            allocated.add(index);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                appendJob(users.get(thread % 2), "thread-" + thread, index);
            });
            threads.add(t);
            t.start();
        }
        go.countDown();
        List<Long> indices = new ArrayList<>();
        for (CompletableFuture<Long> f : allocated) {
            indices.add(f.get(T.toSeconds(), TimeUnit.SECONDS));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(indices).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);

        DataSnapshot stored = readOnce(users.get(0));
        assertThat(stored.child("uid").getValue()).isEqualTo("u1");
        assertThat(stored.child("jobs").getChildrenCount()).isEqualTo(10);
        List<Object> owners = new ArrayList<>();
        stored.child("jobs").getChildren().forEach(job -> owners.add(job.child("email").getValue()));
        assertThat(owners).doesNotHaveDuplicates().hasSize(10);
        assertThat(firebase.get("users/u1/jobs")).startsWith("[{");
    }

    @Test
    void anOutageKeepsTheDataAndACrashLosesIt() throws Exception {
        int port = firebase.port();
        firebase.put("users/u7", "{\"uid\":\"u7\",\"jobs\":[{\"age\":3}]}");
        firebase.stop();
        assertThat(firebase.isRunning()).isFalse();
        assertThat(Ports.accepting(port)).isFalse();
        firebase.start();
        assertThat(firebase.port()).isEqualTo(port);
        assertThat(firebase.get("users/u7")).isEqualTo("{\"jobs\":[{\"age\":3}],\"uid\":\"u7\"}");

        firebase.crash();
        firebase.start();
        assertThat(firebase.get("users/u7")).isEqualTo("null");
    }

    @Test
    void theSdkReconnectsAfterAnOutage() throws Exception {
        DatabaseReference ref = viaEmulatorHost("outage").getReference("users/u5/uid");
        ref.setValueAsync("u5").get(T.toSeconds(), TimeUnit.SECONDS);
        firebase.stop();
        CompletableFuture<Void> write = toCompletable(ref.getParent().child("email").setValueAsync("p@example.com"));
        Thread.sleep(300);
        assertThat(write).isNotDone();
        firebase.start();
        write.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(firebase.get("users/u5")).isEqualTo("{\"email\":\"p@example.com\",\"uid\":\"u5\"}");
    }

    // ---- helpers ----

    /** An AccessToken without an expiration time makes FirebaseDatabase.getInstance throw a NullPointerException. */
    static Date expiry() {
        return Date.from(Instant.now().plus(Duration.ofDays(365)));
    }

    /** Appends a job to users/&lt;uid&gt;/jobs in a transaction; completes with the index it got. */
    static void appendJob(DatabaseReference user, String owner, CompletableFuture<Long> index) {
        AtomicLong attempted = new AtomicLong(-1);
        user.runTransaction(new Transaction.Handler() {
            @Override
            public Transaction.Result doTransaction(MutableData current) {
                long next = current.child("jobs").getChildrenCount();
                attempted.set(next);
                current.child("uid").setValue("u1");
                current.child("jobs").child(Long.toString(next)).setValue(Map.of("email", owner, "age", 4));
                return Transaction.success(current);
            }

            @Override
            public void onComplete(DatabaseError error, boolean committed, DataSnapshot snapshot) {
                if (error != null) {
                    index.completeExceptionally(error.toException());
                } else if (!committed) {
                    index.completeExceptionally(new IllegalStateException("not committed"));
                } else {
                    index.complete(attempted.get());
                }
            }
        });
    }

    static DataSnapshot readOnce(DatabaseReference ref) throws Exception {
        CompletableFuture<DataSnapshot> result = new CompletableFuture<>();
        ref.addListenerForSingleValueEvent(new ValueEventListener() {
            @Override
            public void onDataChange(DataSnapshot snapshot) {
                result.complete(snapshot);
            }

            @Override
            public void onCancelled(DatabaseError error) {
                result.completeExceptionally(error.toException());
            }
        });
        return result.get(T.toSeconds(), TimeUnit.SECONDS);
    }

    static CompletableFuture<Void> toCompletable(com.google.api.core.ApiFuture<Void> future) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        future.addListener(() -> {
            try {
                future.get();
                result.complete(null);
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        }, Runnable::run);
        return result;
    }
}
