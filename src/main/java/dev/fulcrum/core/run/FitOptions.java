package dev.fulcrum.core.run;

/**
 * The options every trainer's {@code fit()} shares, set fluently before it runs: continue from the newest checkpoint,
 * show a progress bar, and stop (as if killed) after a given step, which is how the resumption tests interrupt a run.
 *
 * @param <T> the trainer, so that the setters return it
 */
public abstract class FitOptions<T extends FitOptions<T>> {
    /** Continue the run from its newest checkpoint instead of starting it. */
    protected boolean resume;
    /** Show a progress bar on the terminal. */
    protected boolean progress;
    /** The step after which the run stops as if killed; {@code Long.MAX_VALUE}: never. */
    protected long stopAfter = Long.MAX_VALUE;

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /** Continue the run in its output folder from its newest checkpoint. */
    public T resume(boolean on) {
        this.resume = on;
        return self();
    }

    public T progressBar(boolean on) {
        this.progress = on;
        return self();
    }

    /** Stop (as if killed) once this many steps are done in total; used to test resumption. */
    public T stopAfter(long step) {
        this.stopAfter = step;
        return self();
    }
}
