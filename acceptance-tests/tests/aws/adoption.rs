//! The start of every story in which a second team adopts a stack created elsewhere:
//! one moto, the stack's configuration (the deletion window left at its default: it is
//! no AWS setting, so no import can read it back), and the creator's applied workdir.

use acceptance_tests::{HarnessError, Moto, ProviderInstall, State, Terraform, Workdir, providers};

use crate::stack::Stack;

/// A created stack. Destructure it in this field order: bindings drop in reverse, so
/// the workdirs go before the moto they talk to.
pub struct Adoption {
    pub moto: Moto,
    pub provider: ProviderInstall,
    pub config: String,
    pub creator: Workdir,
    pub created: State,
}

impl Adoption {
    /// Applies the stack in a creator's workdir.
    pub fn start(terraform: &Terraform) -> Result<Adoption, HarnessError> {
        let moto = Moto::start()?;
        let network = moto.sdk().create_network()?;
        let provider = providers::mlcloud()?;
        let mut stack = Stack::new(&network);
        stack.deletion_window_days = None;
        let config = stack.main_tf(&moto);

        let creator = Workdir::new(terraform, std::slice::from_ref(&provider))?;
        creator.write("main.tf", &config)?;
        creator.init()?;
        creator.apply()?;
        let created = creator.state_json()?;
        Ok(Adoption {
            moto,
            provider,
            config,
            creator,
            created,
        })
    }
}
