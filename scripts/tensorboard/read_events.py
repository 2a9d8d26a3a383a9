"""Independent reader for TensorBoard event files, used by the Java tests as a cross-check.

TensorBoard itself is not packaged by Debian, so this reads the files with Google's protobuf runtime
(Debian's python3-protobuf) and message schemas declared here from TensorBoard's field numbers
(compat/proto/{event,summary,histogram,tensor}.proto, plugins/hparams/{api,plugin_data}.proto).
It checks both masked CRC32Cs of every record, rejects any field the schema does not know (a wrong
field number or wire type in the writer), and prints the events as JSON on stdout.

Usage: read_events.py EVENT_FILE     exit 0: JSON; exit 1: corrupt file (message on stderr)
"""
import json
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf import struct_pb2  # noqa: F401  registers google/protobuf/struct.proto

F = descriptor_pb2.FieldDescriptorProto
OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def message(fd, name, fields, nested=()):
    m = fd.message_type.add() if isinstance(fd, descriptor_pb2.FileDescriptorProto) else fd.nested_type.add()
    m.name = name
    for fname, number, ftype, label, type_name, oneof in fields:
        f = m.field.add(name=fname, number=number, type=ftype, label=label)
        if type_name:
            f.type_name = type_name
        if oneof is not None:
            while len(m.oneof_decl) <= oneof:
                m.oneof_decl.add(name=f"o{len(m.oneof_decl)}")
            f.oneof_index = oneof
    for n in nested:
        n(m)
    return m


def schema():
    fd = descriptor_pb2.FileDescriptorProto(name="retinanet_tb_check.proto", package="tbcheck", syntax="proto3")
    fd.dependency.append("google/protobuf/struct.proto")
    T = F
    message(fd, "HistogramProto", [
        ("min", 1, T.TYPE_DOUBLE, OPT, None, None), ("max", 2, T.TYPE_DOUBLE, OPT, None, None),
        ("num", 3, T.TYPE_DOUBLE, OPT, None, None), ("sum", 4, T.TYPE_DOUBLE, OPT, None, None),
        ("sum_squares", 5, T.TYPE_DOUBLE, OPT, None, None),
        ("bucket_limit", 6, T.TYPE_DOUBLE, REP, None, None), ("bucket", 7, T.TYPE_DOUBLE, REP, None, None)])
    message(fd, "TensorShapeProto", [("dim", 2, T.TYPE_MESSAGE, REP, ".tbcheck.TensorShapeProto.Dim", None),
                                     ("unknown_rank", 3, T.TYPE_BOOL, OPT, None, None)],
            nested=[lambda m: message(m, "Dim", [("size", 1, T.TYPE_INT64, OPT, None, None),
                                                 ("name", 2, T.TYPE_STRING, OPT, None, None)])])
    message(fd, "TensorProto", [("dtype", 1, T.TYPE_INT32, OPT, None, None),
                                ("tensor_shape", 2, T.TYPE_MESSAGE, OPT, ".tbcheck.TensorShapeProto", None),
                                ("tensor_content", 4, T.TYPE_BYTES, OPT, None, None),
                                ("float_val", 5, T.TYPE_FLOAT, REP, None, None)])
    message(fd, "SummaryMetadata", [("plugin_data", 1, T.TYPE_MESSAGE, OPT, ".tbcheck.SummaryMetadata.PluginData", None),
                                    ("display_name", 2, T.TYPE_STRING, OPT, None, None),
                                    ("summary_description", 3, T.TYPE_STRING, OPT, None, None),
                                    ("data_class", 4, T.TYPE_INT32, OPT, None, None)],
            nested=[lambda m: message(m, "PluginData", [("plugin_name", 1, T.TYPE_STRING, OPT, None, None),
                                                        ("content", 2, T.TYPE_BYTES, OPT, None, None)])])

    def image(m):
        message(m, "Image", [("height", 1, T.TYPE_INT32, OPT, None, None), ("width", 2, T.TYPE_INT32, OPT, None, None),
                             ("colorspace", 3, T.TYPE_INT32, OPT, None, None),
                             ("encoded_image_string", 4, T.TYPE_BYTES, OPT, None, None)])

    def value(m):
        message(m, "Value", [("tag", 1, T.TYPE_STRING, OPT, None, None),
                             ("metadata", 9, T.TYPE_MESSAGE, OPT, ".tbcheck.SummaryMetadata", None),
                             ("simple_value", 2, T.TYPE_FLOAT, OPT, None, 0),
                             ("image", 4, T.TYPE_MESSAGE, OPT, ".tbcheck.Summary.Image", 0),
                             ("histo", 5, T.TYPE_MESSAGE, OPT, ".tbcheck.HistogramProto", 0),
                             ("tensor", 8, T.TYPE_MESSAGE, OPT, ".tbcheck.TensorProto", 0)])

    message(fd, "Summary", [("value", 1, T.TYPE_MESSAGE, REP, ".tbcheck.Summary.Value", None)], nested=[image, value])
    message(fd, "Event", [("wall_time", 1, T.TYPE_DOUBLE, OPT, None, None), ("step", 2, T.TYPE_INT64, OPT, None, None),
                          ("file_version", 3, T.TYPE_STRING, OPT, None, 0),
                          ("summary", 5, T.TYPE_MESSAGE, OPT, ".tbcheck.Summary", 0)])
    # HParams plugin
    message(fd, "Interval", [("min_value", 1, T.TYPE_DOUBLE, OPT, None, None), ("max_value", 2, T.TYPE_DOUBLE, OPT, None, None)])
    message(fd, "HParamInfo", [("name", 1, T.TYPE_STRING, OPT, None, None), ("display_name", 2, T.TYPE_STRING, OPT, None, None),
                               ("description", 3, T.TYPE_STRING, OPT, None, None), ("type", 4, T.TYPE_INT32, OPT, None, None),
                               ("domain_discrete", 5, T.TYPE_MESSAGE, OPT, ".google.protobuf.ListValue", 0),
                               ("domain_interval", 6, T.TYPE_MESSAGE, OPT, ".tbcheck.Interval", 0)])
    message(fd, "MetricName", [("group", 1, T.TYPE_STRING, OPT, None, None), ("tag", 2, T.TYPE_STRING, OPT, None, None)])
    message(fd, "MetricInfo", [("name", 1, T.TYPE_MESSAGE, OPT, ".tbcheck.MetricName", None),
                               ("display_name", 3, T.TYPE_STRING, OPT, None, None),
                               ("description", 4, T.TYPE_STRING, OPT, None, None),
                               ("dataset_type", 5, T.TYPE_INT32, OPT, None, None)])
    message(fd, "Experiment", [("name", 6, T.TYPE_STRING, OPT, None, None), ("description", 1, T.TYPE_STRING, OPT, None, None),
                               ("user", 2, T.TYPE_STRING, OPT, None, None),
                               ("time_created_secs", 3, T.TYPE_DOUBLE, OPT, None, None),
                               ("hparam_infos", 4, T.TYPE_MESSAGE, REP, ".tbcheck.HParamInfo", None),
                               ("metric_infos", 5, T.TYPE_MESSAGE, REP, ".tbcheck.MetricInfo", None)])
    message(fd, "SessionStartInfo", [("hparams", 1, T.TYPE_MESSAGE, REP, ".tbcheck.SessionStartInfo.HparamsEntry", None),
                                     ("model_uri", 2, T.TYPE_STRING, OPT, None, None),
                                     ("monitor_url", 3, T.TYPE_STRING, OPT, None, None),
                                     ("group_name", 4, T.TYPE_STRING, OPT, None, None),
                                     ("start_time_secs", 5, T.TYPE_DOUBLE, OPT, None, None)],
            nested=[lambda m: entry(m)])
    message(fd, "SessionEndInfo", [("status", 1, T.TYPE_INT32, OPT, None, None), ("end_time_secs", 2, T.TYPE_DOUBLE, OPT, None, None)])
    message(fd, "HParamsPluginData", [("version", 1, T.TYPE_INT32, OPT, None, None),
                                      ("experiment", 2, T.TYPE_MESSAGE, OPT, ".tbcheck.Experiment", 0),
                                      ("session_start_info", 3, T.TYPE_MESSAGE, OPT, ".tbcheck.SessionStartInfo", 0),
                                      ("session_end_info", 4, T.TYPE_MESSAGE, OPT, ".tbcheck.SessionEndInfo", 0)])
    return fd


def entry(m):
    e = message(m, "HparamsEntry", [("key", 1, F.TYPE_STRING, OPT, None, None),
                                    ("value", 2, F.TYPE_MESSAGE, OPT, ".google.protobuf.Value", None)])
    e.options.map_entry = True


def classes():
    pool = descriptor_pool.Default()
    pool.Add(schema())
    file_desc = pool.FindFileByName("retinanet_tb_check.proto")
    get = getattr(message_factory, "GetMessageClass", None)
    factory = None if get else message_factory.MessageFactory(pool)
    out = {}
    for name in ("Event", "HParamsPluginData"):
        desc = file_desc.message_types_by_name[name]
        out[name] = get(desc) if get else factory.GetPrototype(desc)
    return out


def strict_parse(cls, data, what):
    msg = cls()
    msg.ParseFromString(data)
    size = msg.ByteSize()
    msg.DiscardUnknownFields()
    if msg.ByteSize() != size:
        raise ValueError(f"{what}: fields unknown to TensorBoard's schema (wrong field number or wire type)")
    return msg


def main(path):
    cls = classes()
    data = open(path, "rb").read()
    events, offset, truncated_at = [], 0, None
    while offset < len(data):
        if len(data) - offset < 12:
            truncated_at = offset
            break
        header = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        if hcrc != masked(header):
            raise ValueError(f"{path}: length CRC mismatch at offset {offset}")
        if len(data) - offset < 12 + length + 4:
            truncated_at = offset
            break
        body = data[offset + 12:offset + 12 + length]
        (dcrc,) = struct.unpack("<I", data[offset + 12 + length:offset + 16 + length])
        if dcrc != masked(body):
            raise ValueError(f"{path}: data CRC mismatch at offset {offset}")
        event = strict_parse(cls["Event"], body, f"{path} offset {offset}")
        out = json_format.MessageToDict(event, preserving_proto_field_name=True)
        for v, vd in zip(event.summary.value, out.get("summary", {}).get("value", [])):
            if v.HasField("image"):
                png = v.image.encoded_image_string
                vd["image"]["encoded_image_string"] = None
                vd["image"]["png_bytes"] = len(png)
                vd["image"]["png_signature_ok"] = png[:8] == b"\x89PNG\r\n\x1a\n"
            if v.metadata.plugin_data.plugin_name == "hparams":
                hp = strict_parse(cls["HParamsPluginData"], v.metadata.plugin_data.content, f"{path} offset {offset} hparams")
                vd["hparams"] = json_format.MessageToDict(hp, preserving_proto_field_name=True)
        events.append(out)
        offset += 16 + length
    json.dump({"events": events, "truncated_at": truncated_at}, sys.stdout)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
