package dev.fulcrum.lm.model;

import ai.djl.ndarray.NDArray;

/** One residual block of a decoder: attention then MLP, each behind a pre-norm and added to the residual stream. */
sealed interface DecoderBlock permits Gpt2Block, LlamaBlock {

    /**
     * What every block of one forward pass shares.
     *
     * @param bias   additive attention bias {@code [B, 1, T, past + T]}
     * @param angles rotary cos/sin at the batch's positions (Llama), null for GPT-2
     * @param cache  the KV cache to read and extend, or null (training, full recomputation)
     */
    record Pass(NDArray bias, NDArray[] angles, KvCache cache) {
    }

    /** The residual stream after this block, {@code [B, T, hidden]}. */
    NDArray forward(NDArray x, Pass pass);
}
