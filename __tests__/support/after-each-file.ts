// Removes the app folders that the synth helpers made in the system temp folder.
import { removeAppFolders } from './synth';

afterAll(removeAppFolders);
