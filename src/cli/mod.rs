pub mod lines;
pub mod render;
