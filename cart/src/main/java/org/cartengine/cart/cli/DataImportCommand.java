package org.cartengine.cart.cli;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.DatasetException;
import org.cartengine.cart.data.Npy;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.data.importers.AudioCapsImporter;
import org.cartengine.cart.data.importers.ClothoImporter;
import org.cartengine.cart.data.importers.ImportOptions;
import org.cartengine.cart.data.importers.ImportReport;
import org.cartengine.cart.data.importers.KarpathyImporter;
import org.cartengine.cart.data.importers.MsrVttImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cart data import KIND ...}: a benchmark's caption files plus an embeddings .npy, written as a dataset. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import a benchmark's caption files and an embeddings .npy into the dataset format.",
    subcommands = {DataImportCommand.Karpathy.class, DataImportCommand.Clotho.class,
        DataImportCommand.AudioCaps.class, DataImportCommand.MsrVtt.class})
final class DataImportCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every importer takes. */
  static final class Common {
    @Option(names = "--embeddings", required = true, paramLabel = "NPY",
        description = "item embeddings, [N, D] '<f4' or '<f2'")
    Path embeddings;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "dataset directory to write")
    Path out;

    @Option(names = "--name", description = "dataset name (default: per benchmark)")
    String name;

    @Option(names = "--encoder", description = "how the embeddings were made, recorded in dataset.json")
    String encoder;

    @Option(names = "--source", description = "where the media came from (default: names the input files)")
    String source;

    @Option(names = "--license", description = "license of media and captions, recorded in dataset.json")
    String license;

    @Option(names = "--media", paramLabel = "PATTERN",
        description = "media path per item, {name} = its file name or id, e.g. 'audio/{name}.wav'")
    String media;

    @Option(names = "--strict", description = "fail on captions of items without an embedding row (default: skip)")
    boolean strict;

    @Option(names = "--dtype", paramLabel = "float32|float16", description = "storage (default: as the input)")
    String dtype;

    ImportOptions options(Path names) {
      Npy.Dtype d = dtype == null ? null : switch (dtype) {
        case "float32", "f4", "<f4" -> Npy.Dtype.F4;
        case "float16", "f2", "<f2" -> Npy.Dtype.F2;
        default -> throw new DatasetException("--dtype: expected float32 or float16, got " + dtype);
      };
      return new ImportOptions(embeddings, names, out, name, encoder, source, license, media, strict, d);
    }
  }

  /** The per-split caption files of Clotho and AudioCaps, and the names sidecar. */
  static final class SplitFiles {
    @Option(names = "--names", required = true, paramLabel = "TXT",
        description = "names of the .npy rows, one per line, in row order")
    Path names;

    @Option(names = "--train", paramLabel = "CSV", description = "captions of the train split") Path train;
    @Option(names = "--val", paramLabel = "CSV", description = "captions of the val split") Path val;
    @Option(names = "--test", paramLabel = "CSV", description = "captions of the test split") Path test;

    Map<Split, Path> bySplit() {
      Map<Split, Path> m = new EnumMap<>(Split.class);
      if (train != null) m.put(Split.TRAIN, train);
      if (val != null) m.put(Split.VAL, val);
      if (test != null) m.put(Split.TEST, test);
      if (m.isEmpty()) throw new DatasetException("give at least one of --train, --val, --test");
      return m;
    }
  }

  /** Runs an import, printing its report, or the error naming file and line. */
  abstract static class Run implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    abstract ImportReport run();

    @Override
    public Integer call() {
      try {
        spec.commandLine().getOut().print(run().render());
        spec.commandLine().getOut().flush();
        return 0;
      } catch (DatasetException e) {
        spec.commandLine().getErr().println("import failed: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return Errors.USER;
      }
    }
  }

  @Command(name = "karpathy", mixinStandardHelpOptions = true,
      description = {"Flickr30K / MS-COCO: Karpathy-split JSON (dataset_flickr30k.json, dataset_coco.json).",
          "Row i of --embeddings is image i of the JSON; restval counts as train."})
  static final class Karpathy extends Run {
    @Parameters(paramLabel = "JSON") Path json;

    @Override
    ImportReport run() {
      return KarpathyImporter.run(common.options(null), json);
    }
  }

  @Command(name = "clotho", mixinStandardHelpOptions = true,
      description = {"Clotho: caption CSVs (file_name,caption_1..caption_5), e.g. --train "
          + "clotho_captions_development.csv --val clotho_captions_validation.csv --test clotho_captions_evaluation.csv.",
          "--names lists the audio file name of each .npy row."})
  static final class Clotho extends Run {
    @Mixin SplitFiles files;

    @Override
    ImportReport run() {
      return ClothoImporter.run(common.options(files.names), files.bySplit());
    }
  }

  @Command(name = "audiocaps", mixinStandardHelpOptions = true,
      description = {"AudioCaps: caption CSVs (audiocap_id,youtube_id,start_time,caption) per split.",
          "--names lists the youtube_id of each .npy row (an extension such as .wav is ignored)."})
  static final class AudioCaps extends Run {
    @Mixin SplitFiles files;

    @Override
    ImportReport run() {
      return AudioCapsImporter.run(common.options(files.names), files.bySplit());
    }
  }

  @Command(name = "msrvtt", mixinStandardHelpOptions = true,
      description = {"MSR-VTT: annotation JSON (videodatainfo.json, or train_val_videodatainfo.json and "
          + "test_videodatainfo.json), splits train / validate / test.",
          "--names lists the video_id of each .npy row; --train-ids/--val-ids/--test-ids (one video id per line) "
              + "override the JSON's split, e.g. for the 9k / 1k-A split."})
  static final class MsrVtt extends Run {
    @Parameters(paramLabel = "JSON", arity = "1..*") List<Path> jsons;

    @Option(names = "--names", required = true, paramLabel = "TXT",
        description = "video ids of the .npy rows, one per line, in row order")
    Path names;

    @Option(names = "--train-ids", paramLabel = "TXT", description = "videos to put in train, one id per line")
    Path trainIds;

    @Option(names = "--val-ids", paramLabel = "TXT", description = "videos to put in val, one id per line")
    Path valIds;

    @Option(names = "--test-ids", paramLabel = "TXT", description = "videos to put in test, one id per line")
    Path testIds;

    @Override
    ImportReport run() {
      Map<Split, Path> ids = new EnumMap<>(Split.class);
      if (trainIds != null) ids.put(Split.TRAIN, trainIds);
      if (valIds != null) ids.put(Split.VAL, valIds);
      if (testIds != null) ids.put(Split.TEST, testIds);
      return MsrVttImporter.run(common.options(names), jsons, ids);
    }
  }
}
