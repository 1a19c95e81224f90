//! `edgepipe demo`: the README's first command, on the repository's own model and photos (so
//! these tests never skip).

use std::path::Path;

use edgepipe::output::protocol;

use crate::util::{edgepipe, temp_dir, text};

/// The photos in the order the images source shows them (sorted by name), with the top-1 the
/// demo must print for each; the astronaut's best guess stays under the 0.2 threshold.
const PHOTOS: [(&str, Option<&str>); 4] = [
    ("astronaut", None),
    ("chelsea", Some("Egyptian cat")),
    ("coffee", Some("espresso")),
    ("rocket", Some("drilling platform")),
];

#[test]
fn demo_streams_the_photos_classifications_through_two_cpu_segments() {
    let dir = temp_dir("demo");
    let out = edgepipe(&["demo", "--frames", "12", "--out-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("EP1"))
        .map(|l| protocol::parse(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert_eq!(lines[0][0], "H", "{}", text(&out));
    assert!(lines[0].contains(&"classes=1000"), "{:?}", lines[0]);
    let classified: Vec<&Vec<&str>> = lines.iter().filter(|f| f[0] == "C").collect();
    assert!(classified.len() >= 12, "{}", text(&out));
    let mut last = None;
    for c in &classified {
        let frame: u64 = c[1].parse().unwrap();
        assert!(last < Some(frame), "frame numbers rise: {c:?}");
        last = Some(frame);
        let (photo, expected) = PHOTOS[frame as usize % PHOTOS.len()];
        // C, frame, ms, latency, then "index:score:label" per class over the threshold.
        let top1 = c.get(4).map(|t| t.splitn(3, ':').nth(2).unwrap());
        assert_eq!(top1, expected, "frame {frame} ({photo}): {c:?}");
    }
    assert_eq!(lines.last().unwrap()[0], "S", "a status line last");

    // The configured rules, as log lines: the cat rule and the espresso rule switch on.
    let stderr = String::from_utf8_lossy(&out.stderr);
    for pin in [13, 16] {
        let on = format!("line=pin {pin} active=true simulated=true");
        assert!(stderr.contains(&on), "no {on:?} in\n{stderr}");
    }
    assert!(
        !stderr.contains("line=pin 29"),
        "the heartbeat is not logged"
    );
    // What it wrote can be run again as it says.
    let config = dir.join("edgepipe.toml");
    let check = edgepipe(&["check-config", config.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check));
}

#[test]
fn the_demo_segments_chain_bit_exactly_to_the_whole_model_on_the_photos() {
    let dir = temp_dir("demo-verify");
    let out = edgepipe(&["demo", "--frames", "1", "--out-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let model = dir.join("efficientnet_lite0_uint8.tflite");
    let segment = |i| {
        dir.join(format!("efficientnet_lite0_uint8_segment_{i}_of_2.tflite"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let photos = dir.join("photos");
    let mut args = vec![
        "verify".to_owned(),
        model.to_str().unwrap().to_owned(),
        segment(0),
        segment(1),
        "--count".to_owned(),
        "4".to_owned(),
    ];
    for (name, _) in PHOTOS {
        args.push("--input".to_owned());
        args.push(photo(&photos, name));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let verify = edgepipe(&args);
    assert!(verify.status.success(), "{}", text(&verify));
}

fn photo(dir: &Path, name: &str) -> String {
    dir.join(format!("{name}.jpg")).to_str().unwrap().to_owned()
}
