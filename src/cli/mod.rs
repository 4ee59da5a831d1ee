pub mod lines;
pub mod render;
pub mod report;
