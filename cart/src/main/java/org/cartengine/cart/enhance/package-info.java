/**
 * Caption enhancement (paper Sec. 3.3): pseudo-queries for every item, without a neural captioner.
 *
 * <p>The paper captions every candidate with a pretrained multimodal captioner and trains the retriever on the
 * {@code <caption, identifier>} pairs, so that items with few or no human captions are reachable too. No captioning
 * model can be had here, so {@link org.cartengine.cart.enhance.CaptionEnhancer} makes pseudo-queries from what a
 * dataset has: item embeddings and train captions. A user's own generated captions (BLIP, etc.) fit in the same
 * place: add them as {@code train} captions with a {@code source} of their choosing; enhancement uses them like
 * human captions.
 *
 * <h2>Methods, and the {@code source} field</h2>
 *
 * Every pseudo-query is a {@code train} line of captions.jsonl with an extra string field {@code "source"} naming the
 * method that made it (the format's readers accept the field; human captions have none):
 *
 * <table>
 *   <caption>source values</caption>
 *   <tr><th>source</th><th>how the text was made</th></tr>
 *   <tr><td>{@code neighbour-transfer}</td><td>an item's k nearest items by cosine of their embeddings (exact,
 *       {@link org.cartengine.cart.enhance.NearestNeighbours}, on the engine's backend) give their train texts; each
 *       text scores the summed similarity of the neighbours that have it; the best few that the item does not
 *       already have are added. The cross-modal part: the item's content decides what it is called, so an item with
 *       no train caption gets some.</td></tr>
 *   <tr><td>{@code recombination}</td><td>two content words from two different train texts of the item, never seen
 *       together, as a short phrase ("grinning" + "happy" = "grinning happy").</td></tr>
 *   <tr><td>{@code wordnet}</td><td>one word of a short train text of the item replaced by a single-word WordNet 3.1
 *       synonym or direct hypernym of its most frequent senses ("dog face" = "canine face"), through extJWNL
 *       ({@link org.cartengine.cart.enhance.WordNet} says which senses).</td></tr>
 * </table>
 *
 * Each method adds at most {@code perItem} (default 3) texts per item, never one that the item already has in train
 * (compared lower-cased, punctuation as spaces). Recombination and WordNet choose among their candidates at random,
 * seeded from (seed, item id, method): the same seed gives the same output. Texts that this enhancer made (the three
 * sources above) are never the starting point of a method, and {@code perItem} counts the captions of that source the
 * item already has, so enhancing an enhanced dataset again (same settings) adds nothing.
 *
 * <h2>What enhancement reads</h2>
 *
 * Only the {@code train} captions and the embeddings: {@link org.cartengine.cart.enhance.CaptionEnhancer#enhance}
 * hands the methods a {@link org.cartengine.cart.enhance.TrainTexts}, built from the train split alone, which
 * rejects any other split. Changing val or test captions cannot change the pseudo-queries (property-tested). The
 * output dataset's val and test captions are the input's, copied unchanged.
 *
 * <h2>Cost</h2>
 *
 * The neighbour search is exact and O(N M D) for N items, M items with train texts and dimension D: 4.7 x 10^9
 * multiply-adds for the embedded emoji dataset (1,911 x 1,280), 1.9 s on the SIMD backend with two shared cores.
 * It is refused above {@link org.cartengine.cart.enhance.EnhanceConfig#DEFAULT_MAX_EXACT_ITEMS} items (100,000;
 * 1.3 x 10^13 multiply-adds at D = 1280, over an hour on such a CPU, the GEMM seconds on a GPU) with a message naming
 * the options ({@code --max-exact}, {@code --no-transfer}). WordNet loads in about a second; looking up the emoji
 * dataset's 5,600 distinct words takes about 10 s.
 *
 * <p>Use: {@code cart enhance --data DIR|emoji --out DIR} writes the enhanced dataset and prints how many
 * pseudo-queries each method added.
 */
package org.cartengine.cart.enhance;
