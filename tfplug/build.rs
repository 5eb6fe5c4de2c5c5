//! Generates the gRPC code for Terraform's plugin protocol 6 and go-plugin's
//! services from the `.proto` files under `proto/`.
//!
//! Both server and client code are generated: the transport serves them to
//! Terraform, and the test kit drives providers in-process through the
//! clients. Needs only the `protoc` binary (Debian: `protobuf-compiler`), or
//! `PROTOC` pointing at one: the two well-known types the protocol imports
//! live in `proto/google/protobuf/`.

const PROTOS: &[&str] = &[
    "proto/tfplugin6.proto",
    "proto/goplugin/grpc_controller.proto",
    "proto/goplugin/grpc_stdio.proto",
    "proto/goplugin/grpc_broker.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_protos(PROTOS, &["proto"])?;
    Ok(())
}
