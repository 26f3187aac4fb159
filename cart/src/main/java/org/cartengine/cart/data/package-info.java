/**
 * Datasets: the on-disk format (version 1), its validation, the embedded default dataset and importers.
 *
 * <p>A dataset is one directory:
 *
 * <pre>
 *   items.npy       item embeddings, NumPy .npy 1.0/2.0 (3.0 read too), dtype '&lt;f4' or '&lt;f2', shape [N, D], C order
 *   items.tsv       N lines; line i describes row i: id TAB media path (relative to the directory, may be empty)
 *                   [TAB free-form label]
 *   captions.jsonl  one object per line: {"item": id, "text": caption, "split": "train" | "val" | "test"}
 *                   and, for generated captions only, "source": how it was made (e.g. "neighbour-transfer",
 *                   "wordnet": the paper's caption enhancement, Sec. 3.3); human captions have no "source"
 *   dataset.json    {"name", "modality": "image" | "audio" | "video", "dim": D, "items": N, "encoder", "source",
 *                   "license", ...}; other keys (e.g. "splits_rule") are kept as {@link DatasetInfo#extra()}
 * </pre>
 *
 * <p>Splits: {@code train} captions build and train the retriever (human captions of training items, and generated
 * pseudo-queries of any item); {@code val} ones select models; {@code test} ones are the reported queries. Every row of
 * items.npy is in the retrieval corpus, with or without train captions. A query whose text was written for several items
 * of its split counts as a hit for any of them.
 *
 * <p>Readers reject, naming the file and 1-based line: shapes that disagree (items.npy, items.tsv, dataset.json), NaN
 * or infinite values (naming the row and id), empty or duplicate ids, captions of unknown items, unknown splits,
 * malformed or lenient JSON, unsupported dtypes (only {@code '<f4'} and {@code '<f2'}: {@code '<f8'} too is refused),
 * Fortran order, big-endian data, truncated files and headers whose shape does not match the file's size (checked
 * before anything is allocated, so a lying header cannot exhaust the heap), a dataset of 0 items, bytes that are not
 * UTF-8 (naming the line), and lines longer than 1 MB. The CLI reports each as one line and exits with status 2.
 *
 * <p>Text encoding: UTF-8. A byte order mark at the start of items.tsv, captions.jsonl or dataset.json is accepted and
 * ignored, and lines may end with LF or CRLF (a lone CR also ends a line): both are what common editors and tools on
 * Windows write, and neither can be mistaken for content, since ids and captions hold no line breaks. Blank lines at
 * the end of items.tsv and blank lines anywhere in captions.jsonl are skipped; an empty captions.jsonl is a dataset
 * with no captions (it can still be indexed).
 *
 * <p>Writers check the same and also reject ids with a TAB or line break; they write atomically, with a
 * {@code SHA256SUMS} manifest of the four files ({@link DatasetWriter#write}). {@link Dataset#load} verifies the
 * manifest when there is one and refuses a file that does not match; a dataset made by other tools has none. After
 * editing a written dataset on purpose, delete its SHA256SUMS.
 *
 * <p>{@link Dataset#load} memory-maps items.npy ({@link Npy#map}), so a 1M x 1024 float32 corpus (4 GB) is read in
 * place; {@link Dataset#loadEmbedded} reads a dataset packaged under {@code /datasets/<name>/} on the classpath (the
 * {@code emoji} dataset, built by {@code cart/prep/emoji}).
 */
package org.cartengine.cart.data;
