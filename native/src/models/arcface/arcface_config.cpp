#include "models/arcface/arcface_config.h"

#include "core/error.h"
#include "io/json.h"

namespace mc::models {

namespace {

constexpr const char* kHint =
    "Use an arcface_torch IResNet (r18/r34/r50/r100/r200) or MobileFaceNet backbone converted to .safetensors, or "
    "convert a released .onnx file (w600k_r50.onnx, glintr100.onnx, w600k_mbf.onnx) with convertArcfaceOnnx.";

void check(bool ok, const std::string& what) { require(ok, codes::kBadCheckpoint, "ArcFace config: " + what, kHint); }

std::string list_text(const std::vector<int64_t>& values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) text += (i ? "," : "") + std::to_string(values[i]);
  return text + "]";
}

using Shapes = std::map<std::string, std::vector<int64_t>>;

bool has(const Shapes& shapes, const std::string& key) { return shapes.count(key) > 0; }

// Dimension `dim` of tensor `key`, which must exist with `rank` dimensions.
int64_t dim_of(const Shapes& shapes, const std::string& key, size_t rank, size_t dim, const std::string& file) {
  auto it = shapes.find(key);
  require(it != shapes.end() && it->second.size() == rank, codes::kBadCheckpoint,
          file + ": expected tensor " + key + " with " + std::to_string(rank) + " dimensions", kHint);
  return it->second[dim];
}

// How many consecutive indices i = 0, 1, ... have the key prefix + i + suffix.
int64_t count_indexed(const Shapes& shapes, const std::string& prefix, const std::string& suffix) {
  int64_t n = 0;
  while (n < 1000 && has(shapes, prefix + std::to_string(n) + suffix)) ++n;
  return n;
}

int64_t json_int(const io::json::Value& object, const char* key, const std::string& file) {
  const io::json::Value* v = object.find(key);
  uint64_t out = 0;
  require(v && v->as_uint64(out) && out < (uint64_t{1} << 31), codes::kBadCheckpoint,
          file + ": expected " + kArcFaceMetadataKey + "." + key + " to be a non-negative integer", kHint);
  return static_cast<int64_t>(out);
}

}  // namespace

const char* architecture_name(ArcFaceArchitecture architecture) {
  return architecture == ArcFaceArchitecture::IResNet ? "iresnet" : "mobilefacenet";
}

ArcFaceConfig ArcFaceConfig::iresnet(std::vector<int64_t> layers, int64_t base_width, int64_t embedding_size) {
  ArcFaceConfig c;
  c.architecture = ArcFaceArchitecture::IResNet;
  c.layers = std::move(layers);
  c.base_width = base_width;
  c.scale = 1;
  c.embedding_size = embedding_size;
  return c;
}

ArcFaceConfig ArcFaceConfig::mobilefacenet(std::vector<int64_t> blocks, int64_t scale, int64_t base_width,
                                           int64_t embedding_size) {
  ArcFaceConfig c;
  c.architecture = ArcFaceArchitecture::MobileFaceNet;
  c.layers = std::move(blocks);
  c.base_width = base_width;
  c.scale = scale;
  c.embedding_size = embedding_size;
  return c;
}

void ArcFaceConfig::validate() const {
  check(layers.size() == 4, "expected 4 block counts, received " + std::to_string(layers.size()));
  for (int64_t n : layers) check(n >= 1 && n <= 128, "expected block counts from 1 to 128, received " + list_text(layers));
  check(base_width >= 1 && base_width <= 1024, "expected a base width from 1 to 1024, received " + std::to_string(base_width));
  check(embedding_size >= 1 && embedding_size <= 65536,
        "expected an embedding size from 1 to 65536, received " + std::to_string(embedding_size));
  if (architecture == ArcFaceArchitecture::IResNet) {
    check(scale == 1, "expected scale 1 for an IResNet, received " + std::to_string(scale));
  } else {
    check(scale >= 1 && scale <= 16, "expected a MobileFaceNet scale from 1 to 16, received " + std::to_string(scale));
  }
}

std::string ArcFaceConfig::describe() const {
  std::string text = std::string(architecture_name(architecture)) + " layers " + list_text(layers) + ", base width " +
                     std::to_string(base_width);
  if (architecture == ArcFaceArchitecture::MobileFaceNet) text += ", scale " + std::to_string(scale);
  text += ", embedding " + std::to_string(embedding_size);
  return folded ? text + ", folded batch norms" : text;
}

std::string ArcFaceConfig::to_json() const {
  namespace json = io::json;
  json::Value o = json::Value::object();
  o.set("architecture", json::Value::from_string(architecture_name(architecture)));
  json::Value list = json::Value::array();
  for (int64_t n : layers) list.push(json::Value::from_int64(n));
  o.set("layers", std::move(list));
  o.set("baseWidth", json::Value::from_int64(base_width));
  o.set("scale", json::Value::from_int64(scale));
  o.set("embeddingSize", json::Value::from_int64(embedding_size));
  o.set("folded", json::Value::from_bool(folded));
  return json::serialize(o);
}

ArcFaceConfig ArcFaceConfig::from_json(const std::string& text, const std::string& file) {
  namespace json = io::json;
  json::ParseOptions options;
  options.max_bytes = 4096;
  options.error_code = codes::kBadCheckpoint;
  options.context = std::string("the ") + kArcFaceMetadataKey + " metadata of " + file;
  options.hint = kHint;
  json::Value o = json::parse(text, options);
  const std::string where = file + ": " + kArcFaceMetadataKey;
  require(o.is_object(), codes::kBadCheckpoint, where + " must be a JSON object", kHint);
  ArcFaceConfig c;
  const json::Value* arch = o.find("architecture");
  require(arch && arch->is_string() && (arch->text == "iresnet" || arch->text == "mobilefacenet"), codes::kBadCheckpoint,
          where + ".architecture must be \"iresnet\" or \"mobilefacenet\"", kHint);
  c.architecture = arch->text == "iresnet" ? ArcFaceArchitecture::IResNet : ArcFaceArchitecture::MobileFaceNet;
  const json::Value* layers = o.find("layers");
  require(layers && layers->is_array() && layers->items.size() <= 8, codes::kBadCheckpoint,
          where + ".layers must be an array of 4 integers", kHint);
  c.layers.clear();
  for (const auto& item : layers->items) {
    uint64_t n = 0;
    require(item.as_uint64(n) && n < 1000, codes::kBadCheckpoint, where + ".layers must be an array of 4 integers", kHint);
    c.layers.push_back(static_cast<int64_t>(n));
  }
  c.base_width = json_int(o, "baseWidth", file);
  c.scale = json_int(o, "scale", file);
  c.embedding_size = json_int(o, "embeddingSize", file);
  const json::Value* folded = o.find("folded");
  require(folded && folded->is_bool(), codes::kBadCheckpoint, where + ".folded must be true or false", kHint);
  c.folded = folded->boolean;
  c.validate();
  return c;
}

ArcFaceConfig infer_arcface_config(const Shapes& shapes, const std::string& file) {
  ArcFaceConfig c;
  if (has(shapes, "layer1.0.conv1.weight") && has(shapes, "fc.weight")) {
    // arcface_torch IResNet: conv1/bn1/prelu, layer1..layer4 of IBasicBlocks, bn2, fc, features.
    c.architecture = ArcFaceArchitecture::IResNet;
    c.base_width = dim_of(shapes, "conv1.weight", 4, 0, file);
    c.folded = has(shapes, "conv1.bias");
    for (int stage = 0; stage < 4; ++stage) {
      c.layers[stage] = count_indexed(shapes, "layer" + std::to_string(stage + 1) + ".", ".conv1.weight");
    }
    c.scale = 1;
    c.embedding_size = dim_of(shapes, "fc.weight", 2, 0, file);
  } else if (has(shapes, "layers.0.layers.0.weight") && has(shapes, "conv_sep.layers.0.weight")) {
    // arcface_torch MobileFaceNet: layers[0..7], conv_sep, features (GDC).
    c.architecture = ArcFaceArchitecture::MobileFaceNet;
    const int64_t sep = dim_of(shapes, "conv_sep.layers.0.weight", 4, 0, file);  // 8 x base width
    require(sep % 8 == 0, codes::kBadCheckpoint,
            file + ": expected conv_sep.layers.0.weight to have a multiple of 8 output channels, received " +
                std::to_string(sep),
            kHint);
    c.base_width = sep / 8;
    const int64_t stem = dim_of(shapes, "layers.0.layers.0.weight", 4, 0, file);  // scale x base width
    require(stem % c.base_width == 0, codes::kBadCheckpoint,
            file + ": expected layers.0.layers.0.weight to have a multiple of " + std::to_string(c.base_width) +
                " output channels, received " + std::to_string(stem),
            kHint);
    c.scale = stem / c.base_width;
    c.folded = has(shapes, "layers.0.layers.0.bias");
    c.layers[0] = has(shapes, "layers.1.layers.0.weight")
                      ? 1
                      : count_indexed(shapes, "layers.1.layers.", ".layers.0.layers.0.weight");
    for (int group = 1; group < 4; ++group) {
      c.layers[group] =
          count_indexed(shapes, "layers." + std::to_string(2 * group + 1) + ".layers.", ".layers.0.layers.0.weight");
    }
    c.embedding_size = dim_of(shapes, "features.layers.2.weight", 2, 0, file);
  } else {
    fail(codes::kBadCheckpoint,
         file + ": expected an arcface_torch IResNet (keys conv1.weight, layer1.0.conv1.weight, fc.weight) or "
                "MobileFaceNet (keys layers.0.layers.0.weight, conv_sep.layers.0.weight)",
         kHint);
  }
  c.validate();
  return c;
}

}  // namespace mc::models
