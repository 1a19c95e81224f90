//! Compiles the TensorFlow Lite C API shim (csrc/) against the TensorFlow Lite 1.15.5 headers
//! of the `tflite` crate, whose build links the matching static library.

use std::path::PathBuf;
use std::process::Command;

/// The `tflite` crate's source directory: from $EDGEPIPE_TFLITE_CRATE_DIR, or `cargo metadata`
/// (offline first, so vendored and Yocto builds work).
fn tflite_crate_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("EDGEPIPE_TFLITE_CRATE_DIR") {
        return PathBuf::from(dir);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("Cargo.toml");
    for offline in [true, false] {
        let mut cmd = Command::new(&cargo);
        cmd.args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(&manifest);
        if offline {
            cmd.arg("--offline");
        }
        let Ok(out) = cmd.output() else { continue };
        if !out.status.success() {
            continue;
        }
        let meta: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
        let packages = meta["packages"].as_array().expect("packages");
        if let Some(p) = packages.iter().find(|p| p["name"] == "tflite") {
            let manifest_path = PathBuf::from(p["manifest_path"].as_str().expect("manifest_path"));
            return manifest_path.parent().expect("crate dir").to_path_buf();
        }
    }
    panic!("cannot find the tflite crate's sources: set EDGEPIPE_TFLITE_CRATE_DIR");
}

fn main() {
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-env-changed=EDGEPIPE_TFLITE_CRATE_DIR");
    let crate_dir = tflite_crate_dir();
    let tensorflow = crate_dir.join("submodules/tensorflow");
    let flatbuffers = crate_dir.join("submodules/downloads/flatbuffers/include");
    cc::Build::new()
        .cpp(true)
        .file("csrc/tflite_c_api.cc")
        .include(&tensorflow)
        .include(&flatbuffers)
        .flag("-std=c++11")
        .define("NDEBUG", None)
        .define("EDGEPIPE_C_API_PREFIX", "edgepipe_")
        .warnings(false)
        .compile("edgepipe_tflite_c");
    cc::Build::new()
        .file("csrc/error_reporter.c")
        .compile("edgepipe_error_reporter");
    // For the tests, which build a fake libedgetpu and a system-style libtensorflowlite_c.so.
    println!(
        "cargo:rustc-env=EDGEPIPE_TFLITE_INCLUDE={}",
        tensorflow.display()
    );
    println!(
        "cargo:rustc-env=EDGEPIPE_FLATBUFFERS_INCLUDE={}",
        flatbuffers.display()
    );
}
