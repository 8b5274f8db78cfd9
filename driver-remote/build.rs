//! Generates the gRPC code of `proto/compute/v1` into `OUT_DIR` with a
//! vendored `protoc`, so a fresh machine needs no system package.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    std::env::set_var("PROTOC", protoc);
    let protos = [
        "proto/compute/v1/model.proto",
        "proto/compute/v1/errors.proto",
        "proto/compute/v1/compute.proto",
    ];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .btree_map(".")
        // Messages holding a secret get a redacting `Debug` (src/redact.rs).
        .skip_debug([
            "compute.v1.SpawnRequest",
            "compute.v1.RescueRequest",
            "compute.v1.SetAdminPasswordRequest",
            "compute.v1.ConsolePoolInfo",
        ])
        .compile_protos(&protos, &["proto"])?;
    Ok(())
}
