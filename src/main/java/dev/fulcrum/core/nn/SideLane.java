package dev.fulcrum.core.nn;

import ai.djl.ndarray.NDScope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;

/**
 * A second thread for running an independent part of a gradient step beside the calling thread.
 *
 * <p>Small networks do not parallelise well inside one operator (PyTorch's intra-op threads), but the updates of an
 * offline RL step often read only the previous step's networks and so can run side by side, each on one core. Tasks run
 * inside their own {@link NDScope} (DJL scopes are per thread), with graph recording off except inside a {@link Torch.Tape}.
 * A lane is daemon, single-threaded and reused across steps.
 */
public final class SideLane implements AutoCloseable {
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(() -> {
            Torch.disableGradOnThisThread();
            r.run();
        }, "fulcrum-side-lane");
        t.setDaemon(true);
        return t;
    });

    /**
     * Whether trainers should use a side lane: yes unless {@code FULCRUM_LANES=1} (environment) or
     * {@code -Dfulcrum.lanes=1}. Results are identical either way; on a machine whose cores are already busy (load above
     * the core count), the hand-offs between lanes wait on the scheduler and one lane is faster.
     */
    public static boolean enabled() {
        String v = System.getProperty("fulcrum.lanes", System.getenv("FULCRUM_LANES"));
        if (v == null || v.isBlank()) {
            return true;
        }
        return switch (v.trim()) {
            case "1" -> false;
            case "2" -> true;
            default -> throw new IllegalArgumentException("FULCRUM_LANES / fulcrum.lanes must be 1 or 2, got '" + v + "'");
        };
    }

    /** Starts {@code task} on the lane. */
    public Future<?> fork(Runnable task) {
        return executor.submit(() -> {
            try (NDScope ignored = new NDScope()) {
                task.run();
            }
        });
    }

    /** Waits for a forked task, rethrowing its failure on the calling thread. */
    public static void join(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the side lane", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new CompletionException(c);
        }
    }

    /** A one-shot signal between the lanes ("the pre-update value of V(s') has been read"). */
    public static CompletableFuture<Void> signal() {
        return new CompletableFuture<>();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
