pub mod render;
pub mod report;
