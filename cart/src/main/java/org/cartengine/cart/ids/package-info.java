/**
 * Semantic identifiers (paper section 3.2): every item gets a short token sequence that the retriever
 * learns to generate.
 *
 * <h2>Pipeline ({@link org.cartengine.cart.ids.IdentifierBuilder})</h2>
 * <ol>
 *   <li><b>Coarse token</b> k ({@link org.cartengine.cart.ids.KMeans}): mini-batch K-Means with k-means++
 *       seeding over the item embeddings; K = 128, clamped to n / 4 so small corpora keep a few items per
 *       cluster. Distances and argmin run on the engine backend (one fused kernel), so on the GPU when present.
 *   <li><b>Fine tokens</b> v1..vM ({@link org.cartengine.cart.ids.RqVae}, {@link org.cartengine.cart.ids.RqVaeTrainer}):
 *       an RQ-VAE (encoder D-512-256-128-64 with ELU, M = 2 codebooks of 128 x 64, symmetric decoder,
 *       eq. (1) loss with straight-through gradients) trained with Adam and the warm-up + inverse square root
 *       schedule on the residuals x - c_k, standardised by {@link org.cartengine.cart.ids.Standardizer}.
 *       Codebooks start from k-means of each level's residuals; codes unused in an epoch are reset.
 *   <li><b>Unique token</b> u ({@link org.cartengine.cart.ids.PrefixDatabase}): the number of earlier items
 *       with the same (k, v1..vM), so identifiers (k, v1, ..., vM, u) are distinct.
 *   <li><b>Prefix trie</b> ({@link org.cartengine.cart.ids.PrefixTrie}): flat arrays, about 10 bytes per
 *       item; allowed next tokens in O(children); grows by merging when items are added.
 * </ol>
 *
 * <h2>Defaults and the paper (appendix C)</h2>
 * Architecture, K, M, codebook size and dimension are the paper's. Training differs: 20 epochs (2 of
 * warm-up) at a peak learning rate of 3e-3 instead of 500 epochs (300 of warm-up) at 1e-4, on at most
 * 16,384 sampled items; see {@link org.cartengine.cart.ids.IndexConfig#epochs} for the measurements behind
 * this. The paper's alpha and beta are not given; alpha = 1, beta = 0.25.
 *
 * <h2>Ablations ({@link org.cartengine.cart.ids.Scheme})</h2>
 * {@code rq-only} (w/o K-Means), {@code hkmeans} (w/o RQ-VAE), {@code atomic} (Table 3's atomic ids).
 *
 * <h2>On disk ({@link org.cartengine.cart.ids.IndexStore})</h2>
 * {@code identifiers.tsv}, {@code model.safetensors}, {@code trie.safetensors}, {@code index.json}; new
 * items get identifiers from the saved models ({@link org.cartengine.cart.ids.IndexResult#add}) and
 * existing identifiers never change.
 */
package org.cartengine.cart.ids;
