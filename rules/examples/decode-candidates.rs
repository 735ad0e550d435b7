//! Prints how many lines of a file hold an encoded run that decodes (what the
//! decode stage searches again), and the first few:
//! `cargo run --release -p hush-rules --example decode-candidates -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: decode-candidates FILE");
    let text = std::fs::read(path).expect("read");
    let mut decoder = hush_rules::decode::Decoder::new();
    let (mut lines, mut shown) = (0, 0);
    let mut starts = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        decoder.run_starts(line, &mut starts);
        if !starts.is_empty() {
            lines += 1;
            if shown < 8 {
                shown += 1;
                println!("{}", String::from_utf8_lossy(&line[..line.len().min(200)]));
            }
        }
    }
    println!("{lines} lines hold an encoded run that decodes");
}
