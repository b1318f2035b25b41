package dev.fulcrum.lm.iterative;

import java.nio.file.Path;

/** Trains one iteration's policy on its pairs; returns the finished run (whose {@code model/} is the new iterate). */
@FunctionalInterface
public interface IterationTrainer {

    /**
     * @param method       which loss: DPO sigmoid (dno, dpo) or INPO
     * @param pairs        preference JSONL (prompt, chosen, rejected)
     * @param init         the policy's starting point, {@code pi_{t-1}}
     * @param reference    the (first) anchor: {@code pi_{t-1}} for DNO, the starting model for INPO and DPO
     * @param anchor       INPO's second anchor {@code pi_{t-1}}; {@code null} otherwise
     * @param eta          DPO's beta (dno, dpo) or INPO's eta
     * @param tau          INPO's tau
     * @param steps        optimiser updates
     * @param out          the run directory to write
     */
    record Request(IterativeMethod method, Path pairs, Path init, Path reference, Path anchor, double eta, double tau, long steps,
                   int batchSize, double learningRate, long seed, Path out, boolean progress) {
    }

    Path train(Request request);
}
