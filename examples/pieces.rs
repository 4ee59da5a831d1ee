use std::io::BufRead;
fn main() {
    let (kb, _) =
        signpost::knowledge::KnowledgeBase::load(std::path::Path::new("knowledge")).unwrap();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        println!("== {}", &line[..line.len().min(80)]);
        for (piece, scores) in kb.safety.pieces_scored(&line) {
            println!(
                "  {:.2} {:?} | {}",
                scores.crisis,
                scores
                    .categories
                    .iter()
                    .map(|p| (p * 100.0).round() as i32)
                    .collect::<Vec<_>>(),
                piece
            );
        }
    }
}
