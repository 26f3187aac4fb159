package org.cartengine.cart.ids;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * The {@code hkmeans} ablation ("w/o RQ-VAE", Table 4; DSI's semantic docids): a K-Means tree of fixed
 * depth L over the raw embeddings; an item's semantic tokens are its path from the root (p1..pL).
 *
 * <p>Branching: a node holding s items is split into min(B, ceil(s^(1/levelsLeft))) clusters, so the
 * tree is balanced for any corpus size: with B = 128 and L = 3, 1,911 items give about 13-way nodes
 * and 1M items 100-way nodes, instead of a 128-way top with mostly singleton subtrees.
 *
 * <p>Storage, per level l: the centroids of all children of all depth-l nodes, row-major
 * [children_l, dim], and offsets_l [nodes_l + 1]: node i's children are rows offsets_l[i] ..
 * offsets_l[i+1]-1, and child row j is node j of depth l+1.
 */
public final class HkMeansModel implements IdentifierModel {
  private final float[][] centroids;
  private final int[][] offsets;
  private final int dim;
  private final Backend be;

  HkMeansModel(float[][] centroids, int[][] offsets, int dim, Backend be) {
    this.centroids = centroids;
    this.offsets = offsets;
    this.dim = dim;
    this.be = be;
  }

  /** Fits the tree and returns it with the paths of the n rows (n x levels) in tokensOut[0]. */
  static HkMeansModel fit(float[] x, int n, int dim, int levels, int branch, KMeans.Options opt, long seed, Backend be, int[][] tokensOut) {
    int[] tokens = new int[n * levels];
    List<int[]> groups = new ArrayList<>();
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    groups.add(all);
    float[][] cents = new float[levels][];
    int[][] offs = new int[levels][];
    for (int l = 0; l < levels; l++) {
      int levelsLeft = levels - l;
      int[] off = new int[groups.size() + 1];
      List<float[]> levelCents = new ArrayList<>();
      List<int[]> next = new ArrayList<>();
      for (int g = 0; g < groups.size(); g++) {
        int[] rows = groups.get(g);
        int s = rows.length;
        int kk = (int) Math.min(branch, Math.max(1, Math.ceil(Math.pow(s, 1.0 / levelsLeft) - 1e-9)));
        kk = Math.max(1, Math.min(kk, s));
        float[] sub = KMeans.gather(x, dim, rows);
        float[] c;
        int[] assign;
        if (s == 0) {
          c = new float[dim];
          kk = 1;
          assign = new int[0];
        } else if (kk == 1) {
          c = mean(sub, s, dim);
          assign = new int[s];
        } else {
          KMeans km = KMeans.fit(sub, s, dim, kk, opt, seed * 31 + (long) l * 1_000_003 + g, be);
          c = km.centroids();
          assign = km.assign(sub, s, null);
        }
        off[g + 1] = off[g] + kk;
        levelCents.add(c);
        int[] sizes = new int[kk];
        for (int a : assign) sizes[a]++;
        int[][] children = new int[kk][];
        for (int j = 0; j < kk; j++) children[j] = new int[sizes[j]];
        int[] fill = new int[kk];
        for (int i = 0; i < s; i++) {
          int a = assign[i];
          children[a][fill[a]++] = rows[i];
          tokens[rows[i] * levels + l] = a;
        }
        for (int[] ch : children) next.add(ch);
      }
      float[] flat = new float[off[groups.size()] * dim];
      int p = 0;
      for (float[] c : levelCents) {
        System.arraycopy(c, 0, flat, p, c.length);
        p += c.length;
      }
      cents[l] = flat;
      offs[l] = off;
      groups = next;
    }
    tokensOut[0] = tokens;
    return new HkMeansModel(cents, offs, dim, be);
  }

  private static float[] mean(float[] x, int n, int dim) {
    double[] m = new double[dim];
    for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) m[j] += x[i * dim + j];
    float[] out = new float[dim];
    for (int j = 0; j < dim; j++) out[j] = (float) (m[j] / n);
    return out;
  }

  public int levels() {
    return centroids.length;
  }

  @Override
  public Scheme scheme() {
    return Scheme.HKMEANS;
  }

  @Override
  public int semanticLength() {
    return levels();
  }

  @Override
  public String[] positionNames() {
    String[] out = new String[levels()];
    for (int l = 0; l < out.length; l++) out[l] = "p" + (l + 1);
    return out;
  }

  /** Largest branching factor at each level. */
  @Override
  public int[] vocab(int n) {
    int[] v = new int[levels()];
    for (int l = 0; l < v.length; l++) for (int i = 0; i + 1 < offsets[l].length; i++) v[l] = Math.max(v[l], offsets[l][i + 1] - offsets[l][i]);
    return v;
  }

  @Override
  public int inputDim() {
    return dim;
  }

  @Override
  public boolean uniqueToken() {
    return true;
  }

  /** Descends the tree level by level; rows at the same node are searched together in one nearest-centroid call. */
  @Override
  public int[] assign(float[] emb, int n, int firstItem) {
    int levels = levels();
    int[] tokens = new int[n * levels];
    int[] node = new int[n];
    for (int l = 0; l < levels; l++) {
      int nodes = offsets[l].length - 1;
      // Rows grouped by their current node (counting sort).
      int[] start = new int[nodes + 1];
      for (int i = 0; i < n; i++) start[node[i] + 1]++;
      for (int i = 0; i < nodes; i++) start[i + 1] += start[i];
      int[] byNode = new int[n], fill = start.clone();
      for (int i = 0; i < n; i++) byNode[fill[node[i]]++] = i;
      for (int g = 0; g < nodes; g++) {
        int cnt = start[g + 1] - start[g];
        if (cnt == 0) continue;
        int c0 = offsets[l][g], kk = offsets[l][g + 1] - c0;
        int[] rows = java.util.Arrays.copyOfRange(byNode, start[g], start[g + 1]);
        int[] a;
        if (kk == 1) {
          a = new int[cnt];
        } else {
          KMeans km = new KMeans(java.util.Arrays.copyOfRange(centroids[l], c0 * dim, (c0 + kk) * dim), kk, dim, be);
          a = km.assign(KMeans.gather(emb, dim, rows), cnt, null);
        }
        for (int i = 0; i < cnt; i++) {
          tokens[rows[i] * levels + l] = a[i];
          node[rows[i]] = c0 + a[i];
        }
      }
    }
    return tokens;
  }

  @Override
  public Map<String, Tensor> tensors() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int l = 0; l < levels(); l++) {
      int rows = offsets[l][offsets[l].length - 1];
      out.put("hkmeans.level" + l + ".centroids", Tensor.of(be, centroids[l], rows, dim));
      out.put("hkmeans.level" + l + ".offsets", Tensor.ofInts(be, offsets[l], offsets[l].length));
    }
    return out;
  }

  static HkMeansModel load(Map<String, Tensor> t, Backend be, String source) {
    List<float[]> c = new ArrayList<>();
    List<int[]> o = new ArrayList<>();
    int dim = -1;
    for (int l = 0; t.containsKey("hkmeans.level" + l + ".centroids"); l++) {
      Tensor ct = t.get("hkmeans.level" + l + ".centroids");
      dim = ct.dim(1);
      c.add(ct.toFloatArray());
      o.add(CoarseFineModel.require(t, "hkmeans.level" + l + ".offsets", source).toIntArray());
    }
    if (c.isEmpty()) throw new IllegalArgumentException(source + ": no hierarchical K-Means levels (hkmeans.level0.centroids)");
    return new HkMeansModel(c.toArray(new float[0][]), o.toArray(new int[0][]), dim, be);
  }
}
